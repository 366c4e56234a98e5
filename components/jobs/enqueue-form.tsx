"use client";
import { useQueryClient } from "@tanstack/react-query";
import { startTransition, useActionState, useEffect, useId, useState } from "react";
import { toast } from "sonner";
import { enqueueAction, type EnqueueFormState } from "@/app/(dashboard)/queue/actions";
import { OVERVIEW_KEY, QUEUE_KEY } from "@/app/(dashboard)/_lib/queries";
import { Button } from "@/components/ui/button";
import { ArgsFields, exampleFromFields, flatFields } from "./args-fields";

/** A task the form offers, with its example arguments and their JSON Schema (null: any JSON). */
export interface TaskOption {
  name: string;
  description: string | null;
  exampleArgs: string | null;
  argsSchema: string | null;
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

/** A one-line input of the form, starting from `shown[name]`, with its label and error. */
function TextField({
  label,
  name,
  placeholder,
  inputMode,
  shown,
  errors,
}: {
  label: string;
  name: string;
  placeholder: string;
  inputMode?: "numeric" | "decimal";
  shown: Record<string, string>;
  errors: Record<string, string[] | undefined>;
}) {
  return (
    <Field label={label} name={name} errors={errors[name]}>
      {(id, describedBy) => (
        <input
          id={id}
          name={name}
          defaultValue={shown[name]}
          inputMode={inputMode}
          placeholder={placeholder}
          aria-invalid={Boolean(errors[name]?.length)}
          aria-describedby={describedBy}
          className={input}
        />
      )}
    </Field>
  );
}

/** The form's state: the action's reply, the fields to show, and a count that remounts them. */
type FormState = EnqueueFormState & { shown: Record<string, string>; submits: number };

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/** Arguments to prefill for a task: its example, else one made from its schema, else `{}`. */
function startingArgs(task: TaskOption | undefined): string {
  if (task?.exampleArgs) return task.exampleArgs;
  const fields = flatFields(task?.argsSchema ?? null);
  return JSON.stringify(fields ? exampleFromFields(fields) : {});
}

/**
 * Enqueue a job of a registered task with JSON arguments (checked on the server against the
 * task's schema). After every submit the fields show what was submitted (refused) or the same task
 * and arguments with the one-off options cleared (accepted), remounted from that: what the form
 * shows is what the next submit sends.
 */
export function EnqueueForm({ tasks }: { tasks: TaskOption[] }) {
  const queryClient = useQueryClient();
  const initial = tasks.find((t) => t.name === "demo.echo") ?? tasks[0];
  const [state, formAction, isPending] = useActionState<FormState, FormData>(
    async (prev, formData) => {
      const reply = await enqueueAction(prev, formData);
      const sent = (key: string) => {
        const value = formData.get(key);
        return typeof value === "string" ? value : "";
      };
      const shown = reply.ok
        ? { task: sent("task"), args: sent("args") }
        : (reply.values ?? { task: sent("task"), args: sent("args") });
      return { ...reply, shown, submits: prev.submits + 1 };
    },
    {
      ok: true,
      message: "",
      shown: { task: initial?.name ?? "", args: startingArgs(initial) },
      submits: 0,
    },
  );
  useEffect(() => {
    if (!state.message) return;
    if (state.ok) {
      toast.success(state.message);
      void queryClient.invalidateQueries({ queryKey: QUEUE_KEY });
      void queryClient.invalidateQueries({ queryKey: OVERVIEW_KEY });
    } else toast.error(state.message);
  }, [state, queryClient]);
  return (
    <form
      // Submitted by hand, not through the action prop: React resets a form after an action
      // prop's submit, and a reset puts a controlled select back on its first option.
      onSubmit={(event) => {
        event.preventDefault();
        const formData = new FormData(event.currentTarget);
        startTransition(() => formAction(formData));
      }}
      className="flex flex-col gap-3"
      noValidate
      aria-label="Enqueue a job"
    >
      <EnqueueFields
        key={state.submits}
        tasks={tasks}
        shown={state.shown}
        errors={state.fieldErrors ?? {}}
      />
      <Button type="submit" variant="primary" disabled={isPending || tasks.length === 0}>
        {isPending ? "Enqueuing…" : "Enqueue job"}
      </Button>
    </form>
  );
}

/** The form's fields, starting from `shown` (remounted after each submit). */
function EnqueueFields({
  tasks,
  shown,
  errors,
}: {
  tasks: TaskOption[];
  shown: Record<string, string>;
  errors: Record<string, string[] | undefined>;
}) {
  const [task, setTask] = useState(shown.task ?? "");
  const [args, setArgs] = useState(shown.args ?? "{}");
  const chosen = tasks.find((t) => t.name === task);
  const fields = flatFields(chosen?.argsSchema ?? null);
  return (
    <>
      <Field label="Task" name="task" errors={errors.task} hint={chosen?.description ?? undefined}>
        {(id, describedBy) => (
          <select
            id={id}
            name="task"
            value={task}
            aria-invalid={Boolean(errors.task?.length)}
            aria-describedby={describedBy}
            onChange={(e) => {
              const next = tasks.find((t) => t.name === e.target.value);
              setTask(e.target.value);
              setArgs(startingArgs(next));
            }}
            className={input}
          >
            {!chosen && task !== "" && <option value={task}>{task}</option>}
            {tasks.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {fields && fields.length > 0 && (
        <ArgsFields fields={fields} args={args} onArgs={setArgs} error={errors.args?.[0]} />
      )}
      <Field
        label="Arguments"
        name="args"
        errors={errors.args}
        hint={
          chosen?.argsSchema
            ? fields
              ? "JSON; the fields above write it."
              : "JSON matching the schema below."
            : 'Any JSON, e.g. {"ms": 500}'
        }
      >
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
      {chosen?.argsSchema && !fields && (
        <details className="text-xs text-zinc-500 dark:text-zinc-400">
          <summary className="cursor-pointer">Argument schema (JSON Schema)</summary>
          <pre className="mt-1 max-h-48 overflow-auto rounded bg-zinc-50 p-2 font-mono whitespace-pre-wrap dark:bg-zinc-900">
            {pretty(chosen.argsSchema)}
          </pre>
        </details>
      )}
      <div className="grid grid-cols-2 gap-3">
        <TextField label="Name" name="name" placeholder="optional" shown={shown} errors={errors} />
        <TextField label="Queue" name="queue" placeholder="default" shown={shown} errors={errors} />
        <TextField
          label="Priority"
          name="priority"
          placeholder="0"
          inputMode="numeric"
          shown={shown}
          errors={errors}
        />
        <TextField
          label="Delay (seconds)"
          name="delay"
          placeholder="0"
          inputMode="decimal"
          shown={shown}
          errors={errors}
        />
      </div>
      <TextField label="Group" name="group" placeholder="optional" shown={shown} errors={errors} />
    </>
  );
}
