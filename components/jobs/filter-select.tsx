"use client";

/** Classes of a list page's filter controls. */
export const filterControl =
  "h-9 rounded-md border border-zinc-300 bg-white px-2.5 text-sm text-zinc-800 shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100";

/** A filter of a list page: "All …" (no filter, the empty value) or one of `options`. */
export function FilterSelect({
  label,
  allLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  allLabel: string;
  value: string | undefined;
  options: string[];
  onChange(value: string): void;
}) {
  return (
    <select
      aria-label={label}
      value={value ?? ""}
      onChange={(e) => onChange(e.target.value)}
      className={filterControl}
    >
      <option value="">{allLabel}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** The task and queue filters every list page has. */
export function TaskQueueSelects({
  search,
  tasks,
  queues,
  update,
}: {
  search: { task?: string; queue?: string };
  tasks: string[];
  queues: string[];
  update(changes: { task?: string; queue?: string }): void;
}) {
  return (
    <>
      <FilterSelect
        label="Task"
        allLabel="All tasks"
        value={search.task}
        options={tasks}
        onChange={(value) => update({ task: value })}
      />
      <FilterSelect
        label="Queue"
        allLabel="All queues"
        value={search.queue}
        options={queues}
        onChange={(value) => update({ queue: value })}
      />
    </>
  );
}
