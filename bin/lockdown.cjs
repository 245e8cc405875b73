#!/usr/bin/env node
// The `lockdown` operator CLI: runs cli/main.ts through tsx (a dependency), like the other entry points.
require('tsx/cjs');
require('../cli/main.ts');
