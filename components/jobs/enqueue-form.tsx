"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useActionState, useEffect, useId, useState } from "react";
import { toast } from "sonner";
import { enqueueAction, type EnqueueFormState } from "@/app/(dashboard)/queue/actions";
import { OVERVIEW_KEY, QUEUE_KEY } from "@/app/(dashboard)/_lib/queries";
import { Button } from "@/components/ui/button";

/** A task the form offers, with its example arguments. */
export interface TaskOption {
  name: string;
  description: string | null;
  exampleArgs: string | null;
}

const input =
  "w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none aria-[invalid=true]:border-rose-500 dark:border-zinc-700 dark:bg-zinc-950";

function Field({
  label,
  name,
  errors,
  children,
  hint,
}: {
  label: string;
  name: string;
  errors?: string[] | undefined;
  children: (id: string, describedBy: string | undefined) => React.ReactNode;
  hint?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      {children(id, errors?.length ? errorId : undefined)}
      {hint && !errors?.length && <p className="text-xs text-zinc-400">{hint}</p>}
      {errors?.length ? (
        <p id={errorId} className="text-xs text-rose-600 dark:text-rose-400" data-field={name}>
          {errors[0]}
        </p>
      ) : null}
    </div>
  );
}

/** Enqueue a job of a registered task with JSON arguments (validated on the server). */
export function EnqueueForm({ tasks }: { tasks: TaskOption[] }) {
  const queryClient = useQueryClient();
  const [state, formAction, isPending] = useActionState<EnqueueFormState, FormData>(enqueueAction, {
    ok: true,
    message: "",
  });
  const initial = tasks.find((t) => t.name === "demo.echo") ?? tasks[0];
  const [task, setTask] = useState(initial?.name ?? "");
  const [args, setArgs] = useState(initial?.exampleArgs ?? "{}");
  const errors = state.fieldErrors ?? {};
  useEffect(() => {
    if (!state.message) return;
    if (state.ok) {
      toast.success(state.message);
      void queryClient.invalidateQueries({ queryKey: QUEUE_KEY });
      void queryClient.invalidateQueries({ queryKey: OVERVIEW_KEY });
    } else toast.error(state.message);
  }, [state, queryClient]);
  const description = tasks.find((t) => t.name === task)?.description;
  return (
    <form action={formAction} className="flex flex-col gap-3" noValidate aria-label="Enqueue a job">
      <Field label="Task" name="task" errors={errors.task} hint={description ?? undefined}>
        {(id, describedBy) => (
          <select
            id={id}
            name="task"
            value={task}
            aria-invalid={Boolean(errors.task?.length)}
            aria-describedby={describedBy}
            onChange={(e) => {
              setTask(e.target.value);
              const example = tasks.find((t) => t.name === e.target.value)?.exampleArgs;
              if (example) setArgs(example);
            }}
            className={input}
          >
            {tasks.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Arguments" name="args" errors={errors.args} hint='JSON, e.g. {"ms": 500}'>
        {(id, describedBy) => (
          <textarea
            id={id}
            name="args"
            rows={3}
            value={args}
            onChange={(e) => setArgs(e.target.value)}
            spellCheck={false}
            aria-invalid={Boolean(errors.args?.length)}
            aria-describedby={describedBy}
            className={`${input} font-mono text-xs`}
          />
        )}
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Name" name="name" errors={errors.name}>
          {(id, d) => (
            <input
              id={id}
              name="name"
              defaultValue={state.values?.name}
              placeholder="optional"
              aria-invalid={Boolean(errors.name?.length)}
              aria-describedby={d}
              className={input}
            />
          )}
        </Field>
        <Field label="Queue" name="queue" errors={errors.queue}>
          {(id, d) => (
            <input
              id={id}
              name="queue"
              defaultValue={state.values?.queue}
              placeholder="default"
              aria-invalid={Boolean(errors.queue?.length)}
              aria-describedby={d}
              className={input}
            />
          )}
        </Field>
        <Field label="Priority" name="priority" errors={errors.priority}>
          {(id, d) => (
            <input
              id={id}
              name="priority"
              defaultValue={state.values?.priority}
              inputMode="numeric"
              placeholder="0"
              aria-invalid={Boolean(errors.priority?.length)}
              aria-describedby={d}
              className={input}
            />
          )}
        </Field>
        <Field label="Delay (seconds)" name="delay" errors={errors.delay}>
          {(id, d) => (
            <input
              id={id}
              name="delay"
              defaultValue={state.values?.delay}
              inputMode="decimal"
              placeholder="0"
              aria-invalid={Boolean(errors.delay?.length)}
              aria-describedby={d}
              className={input}
            />
          )}
        </Field>
      </div>
      <Field label="Group" name="group" errors={errors.group}>
        {(id, d) => (
          <input
            id={id}
            name="group"
            defaultValue={state.values?.group}
            placeholder="optional"
            aria-invalid={Boolean(errors.group?.length)}
            aria-describedby={d}
            className={input}
          />
        )}
      </Field>
      <Button type="submit" variant="primary" disabled={isPending || tasks.length === 0}>
        {isPending ? "Enqueuing…" : "Enqueue job"}
      </Button>
    </form>
  );
}
