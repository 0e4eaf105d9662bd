import { execFileSync } from 'node:child_process';

/** End-to-end tests run the built CLI and server, as a user would: build once before them (the package's own build). */
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
