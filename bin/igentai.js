#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, run through tsx's loader.
require("tsx/cjs/api").register();
require("../src/cli/igentai.ts");
