#!/usr/bin/env node
import { main } from "../main.js";

// The only place the environment is read; everything below gets it passed in.
process.exitCode = await main(process.argv, process.env);
