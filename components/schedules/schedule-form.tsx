"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { toast } from "sonner";
import {
  previewScheduleAction,
  saveScheduleAction,
  type PreviewResult,
  type ScheduleFormState,
} from "@/app/(dashboard)/schedules/actions";
import { Button, ButtonLink } from "@/components/ui/button";
import type { ScheduleType } from "@/db/schema";

/** Values the form starts with (strings as the inputs hold them). */
export interface ScheduleFormValues {
  id?: number;
  name: string;
  task: string;
  args: string;
  scheduleType: string;
  minutes: string;
  cron: string;
  timezone: string;
  repeats: string;
  /** `yyyy-MM-ddTHH:mm` in the schedule's timezone, or "". */
  nextRunAt: string;
  isEnabled: boolean;
  queue: string;
  priority: string;
  catchUp: string;
}

/** Every schedule type's label (a new type is a compile error here until it has one). */
const TYPE_LABELS: Record<ScheduleType, string> = {
  once: "Once",
  minutes: "Every N minutes",
  hourly: "Hourly",
  daily: "Daily",
  weekly: "Weekly",
  biweekly: "Every 2 weeks",
  monthly: "Monthly",
  bimonthly: "Every 2 months",
  quarterly: "Quarterly",
  yearly: "Yearly",
  cron: "Cron expression",
};

const input =
  "w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none aria-[invalid=true]:border-rose-500 aria-[invalid=true]:ring-rose-500/20 dark:border-zinc-700 dark:bg-zinc-950";

function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (props: {
    id: string;
    "aria-invalid": boolean;
    "aria-describedby"?: string;
  }) => ReactNode;
}) {
  const id = useId();
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      {children({
        id,
        "aria-invalid": Boolean(error),
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
      })}
      {error ? (
        <p id={`${id}-error`} className="text-xs font-medium text-rose-600 dark:text-rose-400">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The one-line inputs: label, hint and input attributes; `isTiming`: the preview checks it too. */
const TEXT_FIELDS: Record<TextFieldName, TextFieldSpec> = {
  name: { label: "Name", placeholder: "nightly-report" },
  minutes: {
    label: "Minutes",
    hint: "Run every this many minutes",
    inputMode: "numeric",
    placeholder: "15",
    isTiming: true,
  },
  cron: {
    label: "Cron",
    hint: "5 fields: minute hour day-of-month month day-of-week",
    className: `${input} font-mono`,
    placeholder: "0 8 * * 1-5",
    isTiming: true,
  },
  repeats: {
    label: "Repeats",
    hint: "-1 runs forever; N: runs left",
    inputMode: "numeric",
    isTiming: true,
  },
  queue: { label: "Queue" },
  priority: { label: "Priority", inputMode: "numeric" },
};

type TextFieldName = "name" | "minutes" | "cron" | "repeats" | "queue" | "priority";

interface TextFieldSpec {
  label: string;
  hint?: ReactNode;
  className?: string;
  placeholder?: string;
  inputMode?: "numeric";
  type?: "datetime-local";
  isTiming?: boolean;
}

/** A one-line input with its label, error and hint. */
function TextField({
  name,
  defaultValue,
  error,
  spec,
}: {
  name: string;
  defaultValue: string;
  error: string | undefined;
  spec: TextFieldSpec;
}) {
  return (
    <Field label={spec.label} error={error} hint={spec.hint}>
      {(p) => (
        <input
          {...p}
          type={spec.type}
          name={name}
          inputMode={spec.inputMode}
          defaultValue={defaultValue}
          className={spec.className ?? input}
          placeholder={spec.placeholder}
        />
      )}
    </Field>
  );
}

function formatInZone(ms: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    }).format(ms);
  } catch {
    return new Date(ms).toISOString();
  }
}

/** A save's outcome, numbered so each refused save mounts the fields afresh. */
type SaveState = ScheduleFormState & { attempt: number };

/** The values the form shows: the submitted ones after a refused save, else `initial`. */
function shownValues(initial: ScheduleFormValues, sent: Record<string, string> | undefined) {
  if (!sent) return initial;
  return {
    ...initial,
    ...Object.fromEntries(Object.entries(sent).filter(([k]) => k !== "isEnabled" && k in initial)),
    isEnabled: sent.isEnabled === "on",
  };
}

/** The schedule form (create and edit): fields per type, a live preview in words and times, field errors. */
export function ScheduleForm({
  initial,
  tasks,
  timezones,
}: {
  initial: ScheduleFormValues;
  tasks: string[];
  timezones: string[];
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [state, formAction, isPending] = useActionState<SaveState, FormData>(
    async (prev, form) => ({
      ...(await saveScheduleAction(prev, form)),
      attempt: prev.attempt + 1,
    }),
    { ok: true, message: "", attempt: 0 },
  );

  useEffect(() => {
    if (!state.message) return;
    if (state.ok) {
      toast.success(state.message);
      void queryClient.invalidateQueries();
      router.push("/schedules");
      router.refresh();
    } else toast.error(state.message);
  }, [state, router, queryClient]);

  // React resets a form after its action, and a reset puts a controlled drop-down back to its
  // first value while its state stays (type "Hourly" shown, the Cron field still there). So a
  // refused save mounts the fields again from what was submitted: every control, controlled or
  // not, then shows what the form will submit.
  return (
    <ScheduleFields
      key={state.attempt}
      initial={shownValues(initial, state.values)}
      original={initial}
      state={state}
      formAction={formAction}
      isPending={isPending}
      tasks={tasks}
      timezones={timezones}
    />
  );
}

function ScheduleFields({
  initial,
  original,
  state,
  formAction,
  isPending,
  tasks,
  timezones,
}: {
  initial: ScheduleFormValues;
  original: ScheduleFormValues;
  state: SaveState;
  formAction: (form: FormData) => void;
  isPending: boolean;
  tasks: string[];
  timezones: string[];
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [scheduleType, setScheduleType] = useState(initial.scheduleType);
  const [timezone, setTimezone] = useState(initial.timezone);
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [version, setVersion] = useState(0);
  const shown = initial;
  const errors = Object.fromEntries(
    Object.entries(state.fieldErrors ?? {}).map(([k, v]) => [k, v?.[0]]),
  );
  const previewErrors = preview && !preview.ok ? preview.fieldErrors : {};

  useEffect(() => {
    const form = formRef.current;
    if (!form) return;
    let isCurrent = true;
    const timer = setTimeout(() => {
      previewScheduleAction(new FormData(form))
        .then((result) => {
          if (isCurrent) setPreview(result);
        })
        .catch(() => undefined);
    }, 250);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [version]);

  const changed = () => setVersion((v) => v + 1);
  const textField = (name: TextFieldName) => (
    <TextField
      name={name}
      defaultValue={shown[name]}
      error={TEXT_FIELDS[name].isTiming ? (errors[name] ?? previewErrors[name]) : errors[name]}
      spec={TEXT_FIELDS[name]}
    />
  );

  return (
    <form
      ref={formRef}
      action={formAction}
      onChange={changed}
      noValidate
      className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]"
      aria-label="Schedule"
    >
      {initial.id !== undefined && <input type="hidden" name="id" value={initial.id} />}
      <input type="hidden" name="nextRunAtInitial" value={original.nextRunAt} />
      <div className="flex flex-col gap-5 rounded-xl border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="grid gap-5 sm:grid-cols-2">
          {textField("name")}
          <Field label="Task" error={errors.task}>
            {(p) => (
              <select {...p} name="task" defaultValue={shown.task} className={input}>
                {!tasks.includes(original.task) && original.task && (
                  <option value={original.task}>{original.task} (not registered)</option>
                )}
                {tasks.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field
          label="Arguments"
          error={errors.args}
          hint='JSON passed to the task, e.g. {"ms": 500}'
        >
          {(p) => (
            <textarea
              {...p}
              name="args"
              rows={3}
              defaultValue={shown.args}
              spellCheck={false}
              className={`${input} font-mono text-xs`}
            />
          )}
        </Field>
        <div className="grid gap-5 sm:grid-cols-2">
          <Field label="Schedule type" error={errors.scheduleType}>
            {(p) => (
              <select
                {...p}
                name="scheduleType"
                value={scheduleType}
                onChange={(e) => setScheduleType(e.target.value)}
                className={input}
              >
                {Object.entries(TYPE_LABELS).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {scheduleType === "minutes" && textField("minutes")}
          {scheduleType === "cron" && textField("cron")}
        </div>
        <div className="grid gap-5 sm:grid-cols-2">
          <Field
            label="Timezone"
            error={errors.timezone ?? previewErrors.timezone}
            hint="IANA name; runs follow its daylight-saving changes"
          >
            {(p) => (
              <>
                <input
                  {...p}
                  name="timezone"
                  list="jobdeck-timezones"
                  value={timezone}
                  onChange={(e) => setTimezone(e.target.value)}
                  className={input}
                  autoComplete="off"
                />
                <datalist id="jobdeck-timezones">
                  {timezones.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <TextField
            name="nextRunAt"
            defaultValue={shown.nextRunAt}
            error={errors.nextRunAt ?? previewErrors.nextRunAt}
            spec={{
              label: "Next run",
              hint:
                original.id !== undefined && scheduleType !== "once"
                  ? "Leave it to keep the series (a changed rule starts from now: see Preview); set it to move the next run"
                  : scheduleType === "once"
                    ? "When it runs, in the timezone above (empty: as soon as saved)"
                    : "First run, and the time of day / weekday / date it repeats at (empty: now)",
              type: "datetime-local",
            }}
          />
        </div>
        <div className="grid gap-5 sm:grid-cols-3">
          {textField("repeats")}
          {textField("queue")}
          {textField("priority")}
        </div>
        <div className="grid gap-5 sm:grid-cols-2">
          <Field
            label="Missed runs"
            error={errors.catchUp}
            hint="After downtime: run once, or every missed run"
          >
            {(p) => (
              <select {...p} name="catchUp" defaultValue={shown.catchUp} className={input}>
                <option value="once">Run once</option>
                <option value="all">Run every missed run</option>
              </select>
            )}
          </Field>
          <label className="flex items-center gap-2 self-end pb-2 text-sm font-medium text-zinc-800 dark:text-zinc-200">
            <input
              type="checkbox"
              name="isEnabled"
              defaultChecked={shown.isEnabled}
              className="size-4 rounded accent-indigo-600"
            />
            Enabled
          </label>
        </div>
        <div className="flex items-center justify-end gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <ButtonLink href="/schedules">Cancel</ButtonLink>
          <Button type="submit" variant="primary" disabled={isPending}>
            {isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </div>
      <aside
        aria-label="Preview"
        className="flex flex-col gap-3 self-start rounded-xl border border-zinc-200 bg-white p-5 shadow-sm lg:sticky lg:top-20 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <h2 className="text-sm font-semibold">Preview</h2>
        {preview === null ? (
          <p className="text-sm text-zinc-500">Working out the next runs…</p>
        ) : preview.ok ? (
          <>
            <p
              className="text-sm font-medium text-indigo-700 dark:text-indigo-300"
              data-testid="schedule-description"
            >
              {preview.description}
            </p>
            {preview.nextRuns.length === 0 ? (
              <p className="text-sm text-zinc-500">No further runs.</p>
            ) : (
              <ol className="flex flex-col gap-1.5 text-sm" aria-label="Next runs">
                {preview.nextRuns.map((ms, i) => (
                  <li key={ms} className="flex items-center gap-2 tabular-nums">
                    <span className="flex size-5 items-center justify-center rounded-full bg-zinc-100 text-xs text-zinc-500 dark:bg-zinc-800">
                      {i + 1}
                    </span>
                    {formatInZone(ms, timezone || "UTC")}
                  </li>
                ))}
              </ol>
            )}
          </>
        ) : (
          <ul className="flex flex-col gap-1 text-sm text-rose-600 dark:text-rose-400">
            {Object.entries(preview.fieldErrors).map(([field, message]) => (
              <li key={field}>{message}</li>
            ))}
          </ul>
        )}
      </aside>
    </form>
  );
}
