/**
 * Hostile strings for the rendering tests: script tags, event-handler attributes, `javascript:`
 * URLs, broken markup, template syntax, control characters and very long strings. Every payload
 * that could run sets `window.__xss` or opens a dialog, which the specs watch for.
 */
const PAYLOADS = [
  `<script>window.__xss=1</script>`,
  `<script>alert(1)</script>`,
  `<img src=x onerror="window.__xss=1">`,
  `<img src="x:x" onerror="document.title='pwned';window.__xss=1">`,
  `<svg onload=window.__xss=1>`,
  `<svg><script>alert&#40;1&#41;</script></svg>`,
  `"><script>alert(1)</script>`,
  `'><img src=x onerror=alert(1)>`,
  `javascript:alert(1)`,
  `JaVaScRiPt:window.__xss=1`,
  `<a href="javascript:alert(1)">click me</a>`,
  `<iframe src="javascript:alert(1)"></iframe>`,
  `<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
  `<body onload=alert(1)>`,
  `<details open ontoggle=alert(1)>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
  `</textarea><script>alert(1)</script>`,
  `</title><script>alert(1)</script>`,
  `</script><script>window.__xss=1</script>`,
  `"}</script><script>window.__xss=1</script>`,
  `<style>@import 'javascript:alert(1)';</style>`,
  `{{constructor.constructor('window.__xss=1')()}}`,
  "${alert(1)}",
  `<!--<script>alert(1)//-->`,
  `<scr<script>ipt>alert(1)</scr</script>ipt>`,
  `<<script>alert(1);//<</script>`,
  `<input autofocus onfocus=alert(1)>`,
  `<video><source onerror=alert(1)></video>`,
  `<object data="javascript:alert(1)"></object>`,
  `<embed src="javascript:alert(1)">`,
  `<base href="javascript:alert(1)//">`,
  `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
  `<form action="javascript:alert(1)"><button>go</button></form>`,
  `<x onclick=alert(1) style="position:fixed;inset:0">click</x>`,
  `<div style="background:url(javascript:alert(1))">`,
  `%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
  `&lt;script&gt;alert(1)&lt;/script&gt;`,
  `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
  `[click](javascript:alert(1))`,
  `<link rel=import href="data:text/html,<script>alert(1)</script>">`,
  `<template><script>alert(1)</script></template>`,
  `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
  `<div><span></div></span><p <b>`,
  `\u0000<script>alert(1)</script>`,
  `\u0001\u0002\u0007\u001b[31mred\u001b[0m\u007f`,
  `\u202eevil.exe\u202c <img src=x onerror=alert(1)>`,
  `\ud800 lone surrogate <svg onload=alert(1)>`,
  `__proto__`,
  `constructor`,
];

const VARIANTS: ((p: string) => string)[] = [
  (p) => p,
  (p) => `"${p}"`,
  (p) => `Error: ${p}\n    at task (${p}:1:1)\n    at run (worker.js:2:2)`,
  (p) => `${p}${p}`,
  (p) => `name-${p}-end`,
];

/** At least 200 hostile strings, including a few very long ones. */
export function hostileStrings(): string[] {
  const list = PAYLOADS.flatMap((p) => VARIANTS.map((v) => v(p)));
  list.push(
    "A".repeat(100_000),
    `<script>${"x".repeat(20_000)}</script>`,
    "<".repeat(5000),
    "\n".repeat(2000),
  );
  return list;
}
