#!/usr/bin/env node
import { main } from "./main.js";

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }).then((code) => process.exit(code));
