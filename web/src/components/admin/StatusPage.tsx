/** The admin's Status page: the queue, the running answers and the admissions now, the last hour per
 * minute as charts, and the workers with their slots and heartbeats; read again every few seconds. */
import { useMemo } from "react";

import { useSystemStatus } from "../../hooks/useSystemStatus";
import { formatAge, formatCount, formatMs, formatRate, formatSpeed, statusCharts } from "../../systemStatus";
import type { SystemStatus, WorkerStatus } from "../../types";
import { FormError } from "../shared/Field";
import { PageHeader, type PageHeaderProps } from "../shared/PageHeader";
import { StatusChart } from "./StatusChart";

const maybe = (value: number | null | undefined, format: (value: number) => string) =>
  value === null || value === undefined ? "–" : format(value);

function Now({ status }: { status: SystemStatus }) {
  const { hour } = status;
  const figures: [string, string, string][] = [
    ["queued", "Waiting answers", formatCount(status.queued)],
    ["running", "Running answers", formatCount(status.running)],
    ["admitted", "Admitted", formatCount(status.admitted)],
    ["workers", "Workers", formatCount(status.workers.length)],
    ["hour-ended", "Ended in the last hour", formatCount(hour.completed + hour.failed + hour.stopped)],
    ["hour-p95", "First token p95", maybe(hour.first_token_p95_ms, formatMs)],
    ["hour-speed", "Tokens per second", maybe(hour.tokens_per_second, formatSpeed)],
    ["hour-errors", "Error rate", maybe(hour.error_rate, formatRate)],
  ];
  return (
    <dl className="totals" data-testid="status-now">
      {figures.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-testid={`status-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function WorkersTable({ workers }: { workers: WorkerStatus[] }) {
  if (workers.length === 0) {
    return (
      <p className="hint" role="alert" data-testid="no-workers">
        No worker is alive: answers wait in the queue until one starts.
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="workers-table">
        <caption className="visually-hidden">Workers, their slots, running jobs and heartbeats</caption>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Host</th>
            <th scope="col" className="number">Process</th>
            <th scope="col" className="number">Slots</th>
            <th scope="col" className="number">Running</th>
            <th scope="col" className="number">Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((worker) => (
            <tr key={worker.id} data-testid="worker-row" data-worker={worker.id} data-stale={worker.stale}>
              <th scope="row">{worker.id}</th>
              <td>{worker.host}</td>
              <td className="number">{worker.pid}</td>
              <td className="number" data-testid="worker-slots">
                {worker.slots}
              </td>
              <td className="number" data-testid="worker-running">
                {worker.running}
              </td>
              <td className="number" data-testid="worker-heartbeat">
                {formatAge(worker.heartbeat_age_seconds)} ago
                {worker.stale ? (
                  <span className="badge stale-badge" data-testid="worker-stale">
                    stale
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function StatusView({ status }: { status: SystemStatus }) {
  const charts = useMemo(() => statusCharts(status), [status]);
  const minutes = useMemo(() => status.minutes.map((minute) => minute.minute), [status]);
  return (
    <>
      <section className="page-section" aria-labelledby="status-now-heading">
        <h2 id="status-now-heading">Now</h2>
        <Now status={status} />
      </section>
      <section className="page-section" aria-labelledby="status-hour-heading">
        <h2 id="status-hour-heading">The last hour, per minute (UTC)</h2>
        <div className="status-charts" data-testid="status-charts">
          {charts.map((chart) => (
            <StatusChart key={chart.id} chart={chart} minutes={minutes} />
          ))}
        </div>
      </section>
      <section className="page-section" aria-labelledby="status-workers-heading">
        <h2 id="status-workers-heading">Workers</h2>
        <WorkersTable workers={status.workers} />
      </section>
    </>
  );
}

export function StatusPage(props: PageHeaderProps) {
  const { status, error } = useSystemStatus();
  return (
    <main className="page" data-testid="status-page">
      <PageHeader title="Status" {...props} />
      {/* Focusable: the keyboard scrolls it, though it holds no control. */}
      <div className="page-body" tabIndex={0} aria-busy={status === null}>
        <p className="hint page-intro">
          Every API process and worker, on every host, as Redis holds them; read again every few seconds.
        </p>
        <FormError error={error} testId="status-error" />
        {status ? <StatusView status={status} /> : error ? null : <p className="hint">Reading the status…</p>}
      </div>
    </main>
  );
}
