/** The command table of `npm run jobdeck`. One module per command (group) in this folder. */
import { adminCommand } from "./admin";
import type { Command } from "./common";
import { enqueueCommand } from "./enqueue";
import { migrateCommand } from "./migrate";
import { pruneCommand } from "./prune";
import { retryFailedCommand } from "./retry-failed";
import { seedCommand } from "./seed";
import { scheduleCommand } from "./schedule";
import { statsCommand } from "./stats";
import { tasksCommand } from "./tasks";
import { tokenCommand } from "./token";

/** Every command by name. */
export const commands: Record<string, Command> = {
  enqueue: enqueueCommand,
  stats: statsCommand,
  "retry-failed": retryFailedCommand,
  prune: pruneCommand,
  tasks: tasksCommand,
  schedule: scheduleCommand,
  migrate: migrateCommand,
  seed: seedCommand,
  admin: adminCommand,
  token: tokenCommand,
};
