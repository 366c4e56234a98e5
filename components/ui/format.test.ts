import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TaskName } from "@/components/jobs/task-name";
import {
  firstLine,
  formatIsoTime,
  INVALID_TIME,
  isShowableTime,
  jobDisplayName,
  visibleText,
} from "./format";
import { Time } from "./time";

/** Run times as an older release or a hand edit could have stored them. */
const OUT_OF_RANGE = [1e23, -1e20, Number.NaN, Number.POSITIVE_INFINITY];

describe("stored times out of range", () => {
  it.each(OUT_OF_RANGE)("show %s as an invalid date instead of throwing", (ms) => {
    expect(isShowableTime(ms)).toBe(false);
    expect(formatIsoTime(ms)).toBe(INVALID_TIME);
    const html = renderToStaticMarkup(createElement(Time, { ms }));
    expect(html).toContain(INVALID_TIME);
    expect(html).not.toContain("<time");
  });

  it("still shows an ordinary time, the epoch and a missing one", () => {
    const ms = Date.UTC(2026, 11, 7, 13, 5, 12);
    expect(formatIsoTime(ms)).toBe("2026-12-07T13:05:12.000Z");
    expect(renderToStaticMarkup(createElement(Time, { ms }))).toContain("2026-12-07 13:05:12 UTC");
    expect(formatIsoTime(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(renderToStaticMarkup(createElement(Time, { ms: null }))).toContain("—");
  });
});

describe("bidi controls in user-controlled text", () => {
  const spoof = "invoice\u202Egnp.exe";

  it("are written out visibly, every one of them", () => {
    expect(visibleText(spoof)).toBe("invoice[U+202E]gnp.exe");
    const all = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C";
    expect(visibleText(`a${all}b`)).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/);
    expect(visibleText("שלום, مرحبا, plain.name")).toBe("שלום, مرحبا, plain.name");
  });

  it("never reach the page raw through names, previews and task names", () => {
    expect(jobDisplayName({ id: 1, name: spoof })).toBe("invoice[U+202E]gnp.exe");
    expect(firstLine(`boom ${spoof}\nstack`)).toBe("boom invoice[U+202E]gnp.exe");
    const html = renderToStaticMarkup(createElement(TaskName, { name: `demo.\u2067x` }));
    expect(html).toMatch(/^<bdi [^>]*>demo\.\[U\+2067\]x<\/bdi>$/);
  });
});
