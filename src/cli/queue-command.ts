import { plural } from '../common/plural.js';
import type { CliIo } from './io.js';
import { ConfigError } from '../errors/index.js';

/** `cascade queue status|pause|resume|cancel <run> --queue redis://...` */
export async function queueCommand(
  action: 'status' | 'pause' | 'resume' | 'cancel',
  runId: string,
  options: { queue: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  const { connectRedis } = await import('../queue/redis-connection.js');
  const { controlRun, runStatus } = await import('../queue/run-control.js');
  const { checkRunId } = await import('../queue/run-keys.js');
  checkRunId(runId);
  const redis = await connectRedis(options.queue, { giveUpMs: 5000 });
  try {
    if (action !== 'status') {
      const changed = await controlRun(redis, runId, action);
      if (!changed) throw new ConfigError(`no run ${runId} in Redis (cascade run --queue prints its run id)`);
      io.stdout(
        `run ${runId}: ${changed.run.status}${action === 'cancel' ? ` (${changed.removed} jobs not yet taken were removed; workers drop the rest)` : ''}\n`,
      );
      return 0;
    }
    const report = await runStatus(redis, runId);
    if (!report) throw new ConfigError(`no run ${runId} in Redis (cascade run --queue prints its run id)`);
    if (options.json) {
      io.stdout(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const { run, jobs, budget } = report;
    io.stdout(
      [
        `run ${runId}: ${run.status}, cascade ${run.cascade} (${run.cascadeFile}), started ${run.createdAt}`,
        `items:   ${report.done} of ${run.total} done (${report.uncollected} not yet collected into ${run.output})`,
        `queue:   ${run.queue}: ${jobs['waiting'] ?? 0} waiting, ${jobs['active'] ?? 0} active, ${jobs['delayed'] ?? 0} delayed, ${jobs['failed'] ?? 0} failed (all runs of this cascade); ${plural(report.workers, 'worker')}`,
        budget
          ? `budget:  $${budget.spentUsd.toFixed(6)} spent and $${budget.reservedUsd.toFixed(6)} reserved of $${budget.limitUsd}`
          : 'budget:  none',
      ].join('\n') + '\n',
    );
    return 0;
  } finally {
    redis.disconnect();
  }
}
