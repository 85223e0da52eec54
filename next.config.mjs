/** @type {import('next').NextConfig} */
const nextConfig = {
  // pm2 pulls in blessed/pty.js and must not be bundled; PGlite ships WASM and data files.
  serverExternalPackages: ["pm2", "@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "gpt-tokenizer", "openai", "@anthropic-ai/sdk"],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
