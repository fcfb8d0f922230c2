/** `swemls trial`: placeholder until its issue lands. */
import type { Command } from './command.js';

export const command: Command = {
  spec: { name: 'trial', summary: '(not built yet)', options: [] },
  async run(_args, io) {
    io.stderr.write('swemls trial: not built yet\n');
    return 1;
  },
};
