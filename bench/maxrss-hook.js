// Fallback peak-RSS probe when /usr/bin/time is missing: `node --import bench/maxrss-hook.js script.js`
// writes process.resourceUsage().maxRSS (KiB) to $BENCH_MAXRSS_FILE when the process exits.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
