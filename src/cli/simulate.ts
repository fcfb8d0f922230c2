/**
 * `swemls simulate`: the hospital simulator, a drop-in for the course's Go simulator (same flags,
 * wire behaviour, pager, metric names, groups file and state log) with an exact scoring beside
 * the compatible one, a durable event log, NAK policy, pacing, faults, reports and a dashboard.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliIo, Command } from './command.js';
import type { ParsedArgs } from '../core/config.js';
import { ExitCode } from './command.js';
import { ConfigError } from '../core/errors.js';
import { wallNow } from '../core/clock.js';
import { parseHl7Timestamp } from '../hl7/index.js';
import { loadAkis, loadMessages } from '../simulator/data.js';
import { parseGroupsFile } from '../simulator/groups.js';
import { startSimulator, type GroupConfig, type SimulatorConfig } from '../simulator/simulator.js';
import { faultPlanFromFlags, parseFaultPlan, type FaultPlan } from '../simulator/faults.js';

export const command: Command = {
  spec: {
    name: 'simulate',
    summary: 'run the hospital simulator: replay HL7 over MLLP, take pages, score them',
    usage: 'swemls simulate --messages FILE --akis FILE [options]',
    options: [
      { name: 'messages', type: 'string', default: 'messages.mllp', metavar: 'FILE', help: 'MLLP file of messages to replay' },
      { name: 'post-processed-messages', type: 'string', metavar: 'FILE', help: 'a second MLLP file (same number of messages) whose bytes are sent instead; scoring uses --messages' },
      { name: 'akis', type: 'string', default: 'akis.csv', metavar: 'FILE', help: 'expected AKIs: mrn,date or mrn,date,aki,nhs (aki.csv is tried when akis.csv is missing)' },
      { name: 'mllp', type: 'int', default: 8440, min: 0, max: 65535, help: 'MLLP port of the single group (hospital) when there is no --groups; 0 = any' },
      { name: 'pager', type: 'int', default: 8441, min: 0, max: 65535, help: 'pager port of the single group; 0 = any' },
      { name: 'backstage', type: 'int', default: 9001, min: 0, max: 65535, help: 'status pages, /metrics, /healthy, admin actions; 0 = any' },
      { name: 'addr', type: 'string', default: '127.0.0.1', help: 'address for every port (the course kit used 0.0.0.0; containers pass it)' },
      { name: 'groups', type: 'string', metavar: 'FILE', help: 'YAML file of groups: groups: [{name, mllp, pager}]' },
      { name: 'state', type: 'string', metavar: 'DIR', help: 'directory (must exist) for the durable per-group event logs; a restart resumes from them' },
      { name: 'state-sync', type: 'string', default: 'fsync', choices: ['fsync', 'write'], help: 'with --state: events are written before the next message or page answer; fsync also waits until they are on disk (group commit; survives a machine crash), write does not (survives kill -9)' },
      { name: 'replay-in-real-time', type: 'boolean', default: false, help: 'send each message when simulated time reaches its MSH-7 (same as --speed 1)' },
      { name: 'speed', type: 'number', min: 0.000001, metavar: 'N', help: 'pace the replay at N simulated seconds per real second' },
      { name: 'rewind', type: 'boolean', default: true, help: 'every new connection starts from the first message (--rewind=false keeps the position)' },
      { name: 'simulated-time', type: 'string', metavar: 'YYYYMMDD[HHMM[SS]]', help: 'pin the clock: this simulated time (UTC) ...' },
      { name: 'real-time', type: 'string', metavar: 'YYYYMMDD[HHMM[SS]]', help: '... corresponds to this real time (UTC); both are needed' },
      { name: 'html', type: 'string', metavar: 'DIR', help: 'accepted for compatibility and ignored (the UI is built in)', ignoredNote: 'the status UI is built in' },
      { name: 'on-nak', type: 'string', default: 'resend', choices: ['resend', 'advance'], help: "a negative ACK (AE, AR, ...): resend the message, or move on as the course's simulator does" },
      { name: 'max-resends', type: 'int', default: 3, min: 0, help: 'resends of one message before moving on (--on-nak=resend)' },
      { name: 'read-timeout', type: 'number', default: 10, min: 0.001, metavar: 'SECONDS', help: 'wait this long for a reply before dropping the connection' },
      { name: 'max-reply-bytes', type: 'int', default: 65536, min: 64, help: 'largest reply frame accepted from a client' },
      { name: 'max-page-bytes', type: 'int', default: 4096, min: 16, help: 'largest pager request body accepted' },
      { name: 'header-timeout', type: 'number', default: 10, min: 0.1, metavar: 'SECONDS', help: 'HTTP request header timeout (pager and backstage)' },
      { name: 'admin-token', type: 'string', env: 'SWEMLS_ADMIN_TOKEN', metavar: 'TOKEN', help: 'token for admin actions (rewind, disconnect, posting a fault plan); without it they are disabled' },
      { name: 'report', type: 'string', metavar: 'DIR', help: 'write report.json and report.html here on exit' },
      { name: 'exit-when-done', type: 'boolean', default: false, help: 'exit once every group has acknowledged the last message and the grace period has passed' },
      { name: 'grace', type: 'number', default: 5, min: 0, metavar: 'SECONDS', help: 'with --exit-when-done: how long to wait for late pages' },
      { name: 'seed', type: 'int', default: 1, help: 'seed for fault injection' },
      { name: 'fault-plan', type: 'string', metavar: 'FILE', help: 'YAML fault plan (see docs/faults.md)' },
      { name: 'fault-seed', type: 'int', help: 'fault plan seed (flags)' },
      { name: 'drop-rate', type: 'number', min: 0, max: 1, help: 'probability of dropping the connection after writing a message' },
      { name: 'corrupt-rate', type: 'number', min: 0, max: 1, help: 'probability of sending a corrupted copy of a message' },
      { name: 'duplicate-rate', type: 'number', min: 0, max: 1, help: 'probability of sending a message twice' },
      { name: 'delay-rate', type: 'number', min: 0, max: 1, help: 'probability of delaying a message' },
      { name: 'delay-ms', type: 'int', min: 0, help: 'delay of a delayed message, ms' },
      { name: 'fragment-rate', type: 'number', min: 0, max: 1, help: 'probability of splitting a frame over several writes' },
      { name: 'short-messages', type: 'boolean', default: false, aliases: ['short_messages'], help: 'split every frame over several writes (the course scaffolding\'s --short_messages)' },
      { name: 'pager-error-rate', type: 'number', min: 0, max: 1, help: 'probability that the pager answers 500' },
    ],
  },
  async run(args, io) {
    const log = (line: string): void => {
      io.stderr.write(`${new Date(wallNow()).toISOString()} ${line}\n`);
    };
    const cfg = configFromArgs(args, io, log);
    // The reference's start-up lines (tools parse them).
    log(`hospital: ${cfg.data.messages.length} messages`);
    log(`hospital: ${cfg.akis.akiTime.size} akis`);
    log(`hospital: NHS f3 ${cfg.akis.startupNhsF3.toFixed(6)}`);
    const sim = await startSimulator(cfg);
    const reason = await new Promise<string>((res) => {
      const onSignal = (s: NodeJS.Signals): void => res(s);
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      void sim.done.then(() => res('done'));
    });
    log(`stopping (${reason})`);
    await sim.close();
    const written = await sim.writeReport();
    if (written) log(`report written to ${written}`);
    return ExitCode.ok;
  },
};

/** The simulator's configuration from parsed flags (loads the messages and AKI files). Throws ConfigError/SimulatorError. */
export function configFromArgs(args: ParsedArgs, io: Pick<CliIo, 'cwd'>, log: (line: string) => void): SimulatorConfig {
  const v = args.values as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const num = (k: string): number | undefined => (typeof v[k] === 'number' ? (v[k] as number) : undefined);
  const resolve = (p: string): string => path.resolve(io.cwd, p);

  const messagesFile = resolve(str('messages') as string);
  let akisFile = resolve(str('akis') as string);
  if (!args.given.has('akis') && !fs.existsSync(akisFile) && fs.existsSync(resolve('aki.csv'))) akisFile = resolve('aki.csv');

  let pin: { simulated: number; real: number } | undefined;
  const st = str('simulatedTime');
  const rt = str('realTime');
  if (st !== undefined || rt !== undefined) {
    const parse = (t: string | undefined, flag: string): number | undefined => {
      if (t === undefined) return void problems.push(`--simulated-time and --real-time go together (${flag} is missing)`);
      const ms = /^(\d{8}|\d{12}|\d{14})$/.test(t) ? parseHl7Timestamp(t) : undefined;
      if (ms === undefined) problems.push(`${flag}: expected YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, got '${t}'`);
      return ms;
    };
    const s = parse(st, '--simulated-time');
    const r = parse(rt, '--real-time');
    if (s !== undefined && r !== undefined) pin = { simulated: s, real: r };
  }
  let speed: number | null = null;
  if (num('speed') !== undefined) speed = num('speed') as number;
  else if (v.replayInRealTime === true) speed = 1;

  let groups: GroupConfig[];
  const groupsFile = str('groups');
  if (groupsFile) {
    let text: string;
    try {
      text = fs.readFileSync(resolve(groupsFile), 'utf8');
    } catch (err) {
      throw new ConfigError([`cannot read groups file ${groupsFile}: ${(err as Error).message}`]);
    }
    groups = parseGroupsFile(text, groupsFile);
  } else {
    groups = [{ name: 'hospital', mllp: v.mllp as number, pager: v.pager as number }];
  }

  let faultPlan: FaultPlan | undefined;
  const planFile = str('faultPlan');
  const rateFlags = ['faultSeed', 'dropRate', 'corruptRate', 'duplicateRate', 'delayRate', 'delayMs', 'fragmentRate', 'pagerErrorRate'];
  if (planFile) {
    if (rateFlags.some((k) => args.given.has(k)) || v.shortMessages === true) problems.push('--fault-plan and the fault flags do not mix: put everything in the plan file');
    let text = '';
    try {
      text = fs.readFileSync(resolve(planFile), 'utf8');
    } catch (err) {
      problems.push(`cannot read fault plan ${planFile}: ${(err as Error).message}`);
    }
    if (text) faultPlan = parseFaultPlan(text);
  } else if (rateFlags.some((k) => args.given.has(k)) || v.shortMessages === true) {
    faultPlan = faultPlanFromFlags({
      faultSeed: num('faultSeed'),
      dropRate: num('dropRate'),
      corruptRate: num('corruptRate'),
      duplicateRate: num('duplicateRate'),
      delayRate: num('delayRate'),
      delayMs: num('delayMs'),
      fragmentRate: num('fragmentRate'),
      pagerErrorRate: num('pagerErrorRate'),
      shortMessages: v.shortMessages === true,
    });
  }
  const stateDir = str('state');
  if (stateDir !== undefined && !fs.existsSync(resolve(stateDir))) problems.push(`--state: directory ${stateDir} does not exist`);
  if (problems.length) throw new ConfigError(problems);

  const data = loadMessages(messagesFile, str('postProcessedMessages') ? resolve(str('postProcessedMessages') as string) : undefined);
  const akis = loadAkis(akisFile);
  return {
    messagesFile,
    akisFile,
    data,
    akis,
    groups,
    addr: str('addr') as string,
    backstage: v.backstage as number,
    stateDir: stateDir ? resolve(stateDir) : undefined,
    rewind: v.rewind as boolean,
    speed,
    pin,
    onNak: str('onNak') as 'resend' | 'advance',
    maxResends: v.maxResends as number,
    readTimeoutMs: (v.readTimeout as number) * 1000,
    maxReplyBytes: v.maxReplyBytes as number,
    maxPageBodyBytes: v.maxPageBytes as number,
    headerTimeoutMs: (v.headerTimeout as number) * 1000,
    adminToken: str('adminToken') || undefined,
    faultPlan,
    seed: v.seed as number,
    stateSync: str('stateSync') as 'fsync' | 'write',
    reportDir: str('report') ? resolve(str('report') as string) : undefined,
    exitWhenDoneGraceMs: v.exitWhenDone === true ? (v.grace as number) * 1000 : undefined,
    log,
  };
}
