import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // better-sqlite3 is a native addon: never bundle it (Next 16's default, listed to be explicit);
  // pg is loaded as it is published (its optional pg-native require confuses bundlers).
  serverExternalPackages: ["better-sqlite3", "pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
