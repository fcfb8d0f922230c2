/** `swemls detect`: placeholder until its issue lands. */
import type { Command } from './command.js';

export const command: Command = {
  spec: { name: 'detect', summary: '(not built yet)', options: [] },
  async run(_args, io) {
    io.stderr.write('swemls detect: not built yet\n');
    return 1;
  },
};
