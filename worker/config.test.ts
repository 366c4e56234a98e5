import { describe, expect, it } from "vitest";
import { ConfigError, parseWorkerConfig } from "./config";

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
