import { describe, expect, it } from "vitest";
import {
  isSecretKey,
  MASK,
  maskSecrets,
  maskSecretsInJson,
  maskSecretsInPreview,
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
