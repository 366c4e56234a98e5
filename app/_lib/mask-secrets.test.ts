import { describe, expect, it } from "vitest";
import {
  isSecretKey,
  MASK,
  maskSecrets,
  maskSecretsInJson,
  maskSecretsInPreview,
  maskSecretText,
  restoreMaskedSecrets,
  secretWords,
} from "./mask-secrets";

describe("masking secret-looking arguments", () => {
  it("recognises secret keys by word, not by substring", () => {
    for (const k of [
      "password",
      "Password",
      "apiKey",
      "api_key",
      "X-Auth-Token",
      "client_secret",
      "authorization",
      "sessionId",
      "PRIVATE_KEY",
    ]) {
      expect(isSecretKey(k), k).toBe(true);
    }
    for (const k of ["monkey", "keyboard", "userId", "email", "tokenizer", "passage"]) {
      expect(isSecretKey(k), k).toBe(false);
    }
  });

  it("masks at any depth and keeps everything else", () => {
    const masked = maskSecrets({
      user: "ann",
      password: "hunter2",
      nested: [{ apiKey: "k", n: 1 }],
      token: null,
    });
    expect(masked).toEqual({
      user: "ann",
      password: MASK,
      nested: [{ apiKey: MASK, n: 1 }],
      token: null,
    });
  });

  it("keeps a __proto__ key as plain data", () => {
    const masked = maskSecrets(JSON.parse('{"__proto__":{"secret":"s","x":1}}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(Object.keys(masked)).toEqual(["__proto__"]);
    expect(JSON.stringify(masked)).toBe(`{"__proto__":{"secret":"${MASK}","x":1}}`);
  });

  it("reads the word list from JOBDECK_SECRET_KEYS and leaves non-JSON text alone", () => {
    expect(secretWords("ssn, pin")).toEqual(["ssn", "pin"]);
    expect(secretWords("")).toContain("password");
    expect(maskSecretsInJson('{"ssn":"1","password":"p"}', ["ssn"])).toBe(
      `{\n  "ssn": "${MASK}",\n  "password": "p"\n}`,
    );
    expect(maskSecretsInJson("not json")).toBe("not json");
  });
});

describe("maskSecretsInPreview", () => {
  it("masks a complete JSON preview exactly", () => {
    expect(maskSecretsInPreview('{"user":"ann","password":"hunter2"}')).toBe(
      `{"user":"ann","password":"${MASK}"}`,
    );
  });

  it("masks a preview cut in the middle, even inside the secret's value", () => {
    const cut = '{"to":"ann@example.com","apiKey":"sk_live_abcdef","nested":{"token":"t0k';
    const out = maskSecretsInPreview(cut)!;
    expect(out).not.toContain("sk_live");
    expect(out).not.toContain("t0k");
    expect(out).toContain('"to":"ann@example.com"');
    expect(out).toContain(`"apiKey":"${MASK}"`);
  });

  it("leaves previews without secrets, and null, alone", () => {
    expect(maskSecretsInPreview('{"monkey":1,"keyboard":"x"')).toBe('{"monkey":1,"keyboard":"x"');
    expect(maskSecretsInPreview(null)).toBeNull();
  });
});

describe("masking what issue 14.4 found leaking", () => {
  it("masks a secret key's value whatever its type: array, object, number", () => {
    const masked = maskSecrets({
      tokens: ["t1", "t2"],
      credentials: { user: "u", pass: "p" },
      pin: 1234,
      apiKey: 987654,
    });
    expect(masked).toEqual({ tokens: MASK, credentials: MASK, pin: 1234, apiKey: MASK });
  });

  it("knows the words tokens, passphrase, bearer, jwt and plurals of listed words", () => {
    for (const k of [
      "tokens",
      "passphrase",
      "bearer",
      "bearerToken",
      "jwt",
      "passwords",
      "Secrets",
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ["status", "address", "class", "tokenizer"])
      expect(isSecretKey(k), k).toBe(false);
  });

  it("masks credentials inside connection strings anywhere in a string", () => {
    const text =
      "connect failed: postgres://app:S3cr3t!@db.internal:5432/prod (mysql://root:p@ss@h/x, redis://:rpw@cache:6379)";
    const out = maskSecretText(text);
    expect(out).not.toMatch(/S3cr3t|p@ss|rpw/);
    expect(out).toContain(`postgres://app:${MASK}@db.internal:5432/prod`);
    expect(out).toContain(`redis://:${MASK}@cache:6379`);
    expect(maskSecretText("see https://example.com:8443/x")).toBe("see https://example.com:8443/x");
  });

  it("masks bearer tokens, key=value pairs and quoted key: value pairs in free text", () => {
    const out = maskSecretText(
      [
        "Authorization: Bearer eyJhbGciOi.abc-def_123",
        "GET /cb?user=ann&access_token=zzz999&x=1",
        "Server=db;User Id=sa;Password=Pa55w0rd;",
        "bad input { password: 'hunter2', user: 'ann' }",
        'payload {"apiKey":"sk_live_1","n":1}',
      ].join("\n"),
    );
    expect(out).not.toMatch(/eyJhbGciOi|zzz999|Pa55w0rd|hunter2|sk_live_1/);
    expect(out).toContain("user=ann");
    expect(out).toContain("user: 'ann'");
  });

  it("masks connection strings in string values and JSON held in strings, at any depth", () => {
    const masked = maskSecrets({
      db: { url: "postgres://u:pw1@h/db" },
      list: [{ note: "mysql://a:pw2@h" }, 'x {"secret":"pw3"}'],
      args: '{"password":"pw4","to":"ann"}',
    });
    const text = JSON.stringify(masked);
    expect(text).not.toMatch(/pw1|pw2|pw3|pw4/);
    expect(JSON.parse((masked as { args: string }).args)).toEqual({ password: MASK, to: "ann" });
  });

  it("masks an array or object under a secret key in a cut preview", () => {
    const cut =
      '{"to":"ann","tokens":["tok_a","tok_b"],"auth":{"user":"u","pass":"pw"},"db":"postgres://u:PW';
    const out = maskSecretsInPreview(cut)!;
    expect(out).not.toMatch(/tok_a|tok_b|"pw"|PW/);
    expect(out).toContain(`"tokens":"${MASK}"`);
    expect(out).toContain(`"auth":"${MASK}"`);
    expect(out).toContain('"to":"ann"');
    const cutInside = '{"secret":["a1","a2';
    expect(maskSecretsInPreview(cutInside)).toBe(`{"secret":"${MASK}"`);
  });

  it("masks previews of errors (cut text, not JSON)", () => {
    expect(maskSecretsInPreview("Error: could not reach postgres://svc:hunter2@db:5432/x")).toBe(
      `Error: could not reach postgres://svc:${MASK}@db:5432/x`,
    );
  });

  it("restores masked values from the stored JSON when an edited form comes back", () => {
    const stored = '{"password":"pw","to":"ann","nested":{"token":"t"}}';
    const edited = `{"password":"${MASK}","to":"bob","nested":{"token":"${MASK}"},"extra":1}`;
    expect(JSON.parse(restoreMaskedSecrets(edited, stored))).toEqual({
      password: "pw",
      to: "bob",
      nested: { token: "t" },
      extra: 1,
    });
    expect(restoreMaskedSecrets('{"password":"new"}', stored)).toBe('{"password":"new"}');
  });
});

describe("masking long texts", () => {
  it("takes linear time on long words, dotted runs, spaces and repeated schemes", () => {
    const inputs = [
      "x".repeat(300_000),
      "a-".repeat(150_000),
      `a${" ".repeat(300_000)}b`,
      "ab://".repeat(60_000),
      '"k":"'.repeat(60_000),
    ];
    const started = performance.now();
    for (const text of inputs) maskSecretText(text);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
