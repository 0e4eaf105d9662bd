import { execFileSync } from 'node:child_process';

/** End-to-end tests run the built CLI and server, as a user would: build once before them. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
