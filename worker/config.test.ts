import { describe, expect, it } from "vitest";
import { ConfigError, parseWorkerConfig } from "./config";

function parse(argv: string[]) {
  const config = parseWorkerConfig(argv);
  if (config === "help") throw new Error("unexpected help");
  return config;
}

describe("parseWorkerConfig", () => {
  it("accepts every lease from 1 to 600 seconds, whole and fractional, with the default heartbeat", () => {
    const leases: string[] = [];
    for (let s = 1; s <= 600; s++) leases.push(String(s));
    for (let s = 1; s <= 20; s += 0.1) leases.push(s.toFixed(1));
    leases.push("1.001", "2.5", "1.0004", "3600", "604800");
    for (const lease of leases) {
      const config = parse(["--lease", lease]);
      expect(config.heartbeatMs * 3, `--lease ${lease}`).toBeLessThanOrEqual(config.leaseMs);
      expect(config.heartbeatMs, `--lease ${lease}`).toBeGreaterThan(0);
    }
  });

  it("starts with --lease 5, the case a new user hit", () => {
    const config = parse(["--lease", "5"]);
    expect(config.leaseMs).toBe(5000);
    expect(config.heartbeatMs).toBe(1666);
  });

  it("still refuses an explicit heartbeat over a third of the lease", () => {
    expect(() => parse(["--lease", "5", "--heartbeat", "2"])).toThrow(/at most a third/);
  });

  it("names the option for a negative number instead of the parser's 'ambiguous'", () => {
    for (const option of ["--lease", "--timeout", "--grace", "--backoff", "--heartbeat"]) {
      let message = "";
      try {
        parse([option, "-5"]);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toContain(option);
      expect(message).not.toMatch(/ambiguous/);
    }
    expect(() => parse(["--concurrency", "-2"])).toThrow(/--concurrency must be a whole number/);
  });
});

describe("worker options", () => {
  it.each([
    [["--grace", "-5"], /--grace must be between 0 and 2073600 seconds, got -5/],
    [["--grace=-5"], /--grace must be between 0 and 2073600 seconds/],
    [["--lease", "0x10"], /--lease must be a plain decimal number of seconds, got "0x10"/],
    [["--timeout", "1e300"], /--timeout must be a plain decimal number of seconds/],
    [["--timeout", "9999999"], /--timeout must be between 0.01 and 2073600 seconds/],
    [["--concurrency", "0x4"], /--concurrency must be a whole number from 1 to 256/],
  ])("refuses %j naming the option and its range", (argv, message) => {
    expect(() => parseWorkerConfig(argv)).toThrowError(ConfigError);
    expect(() => parseWorkerConfig(argv)).toThrowError(message);
  });

  it("reads plain decimals", () => {
    const config = parseWorkerConfig(["--lease", "30", "--grace", "0.5", "--concurrency", "2"]);
    expect(config).toMatchObject({ leaseMs: 30_000, graceMs: 500, concurrency: 2 });
  });
});
