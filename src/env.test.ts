import { describe, expect, it } from "vitest";
import { EnvError, parseServerEnv as parse } from "./env";

const parseServerEnv = (vars: Record<string, string>) => parse(vars as NodeJS.ProcessEnv);

describe("server environment", () => {
  it("refuses to listen beyond loopback without an API token", () => {
    expect(() => parseServerEnv({ HOSTNAME: "0.0.0.0" })).toThrow(EnvError);
    expect(() => parseServerEnv({ HOSTNAME: "0.0.0.0" })).toThrow(/IGENTAI_API_TOKEN/);
  });

  it.each([["127.0.0.1"], ["localhost"], ["::1"]])("needs no token on %s", (host) => {
    expect(parseServerEnv({ HOSTNAME: host }).IGENTAI_API_TOKEN).toBeUndefined();
  });

  it("listens beyond loopback with a token of sufficient length only", () => {
    expect(parseServerEnv({ HOSTNAME: "0.0.0.0", IGENTAI_API_TOKEN: "0123456789abcdef" }).IGENTAI_API_TOKEN).toBe("0123456789abcdef");
    expect(() => parseServerEnv({ HOSTNAME: "0.0.0.0", IGENTAI_API_TOKEN: "short" })).toThrow(/at least 16/);
  });
});
