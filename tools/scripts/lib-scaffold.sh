#!/usr/bin/env bash
# Writes the tsconfig, jest and eslint files of a library: tools/scripts/lib-scaffold.sh <dir> <name>
set -euo pipefail
dir=$1; name=$2
depth=$(echo "$dir" | awk -F/ '{print NF}')
up=$(printf '../%.0s' $(seq 1 "$depth"))
cd "$(dirname "$0")/../../$dir"
cat > tsconfig.json <<JSON
{
  "extends": "${up}tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > tsconfig.lib.json <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "${up}dist/out-tsc", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["jest.config.ts", "src/**/*.spec.ts", "test/**/*.ts"]
}
JSON
cat > tsconfig.spec.json <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "${up}dist/out-tsc", "module": "commonjs", "isolatedModules": true, "types": ["jest", "node"] },
  "include": ["jest.config.ts", "src/**/*.ts", "test/**/*.ts"]
}
JSON
cat > jest.config.ts <<JSON
export default {
  displayName: '${name}',
  preset: '${up}jest.preset.js',
  coverageDirectory: '${up}coverage/${dir}',
};
JSON
cat > eslint.config.mjs <<JSON
import baseConfig from '${up}eslint.config.mjs';

export default [...baseConfig];
JSON
