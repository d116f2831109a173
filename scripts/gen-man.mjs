// Writes the man page mcast-doctor(1) from the CLI's own --help (the same yargs declarations
// that print it), one section per command. Run after `npm run build`; prepack runs it, and
// package.json's `man` field ships it. Usage: node scripts/gen-man.mjs [OUT]
// (default dist/man/mcast-doctor.1). COLUMNS=72 keeps the help, indented by man, inside 80 columns.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(repo, 'dist/man/mcast-doctor.1'));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const cli = path.join(repo, 'bin/mcast-doctor');

const env = { ...process.env, COLUMNS: '72', NO_COLOR: '1' };
delete env.FORCE_COLOR;
const help = (...args) => execFileSync(process.execPath, [cli, ...args, '--help'], { env, encoding: 'utf8' }).trimEnd();

/** roff-safe text: backslashes, minus signs (so copied options work), leading dots/quotes. */
const esc = (s) => s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
const verbatim = (text) => `.nf\n${esc(text)}\n.fi\n`;

const top = help();
const commands = [...top.matchAll(/^ {2}mcast-doctor ([a-z][\w-]*)/gm)].map((m) => m[1]).filter((c) => c !== 'completion');
const exitLine = (/Exit codes:[^]*$/.exec(top)?.[0] ?? '').replace(/\s+/g, ' ');

const page = [
  `.TH MCAST\\-DOCTOR 1 "" "mcast-doctor ${pkg.version}" "User Commands"`,
  '.SH NAME',
  `mcast\\-doctor \\- ${esc(pkg.description.replace(/:.*/, ''))}`,
  '.SH SYNOPSIS',
  '.B mcast\\-doctor',
  '.I command',
  '.RI [ options ]',
  '.SH DESCRIPTION',
  esc(pkg.description),
  'Every command takes the global options below; each command\'s own options follow in',
  '.BR COMMANDS .',
  'This page is generated from the same declarations as',
  '.BR "mcast\\-doctor \\-\\-help" .',
  '.SH OPTIONS',
  verbatim(top),
  '.SH COMMANDS',
  ...commands.map((c) => `.SS ${c}\n${verbatim(help(c))}`),
  '.SH SHELL COMPLETION',
  '.nf',
  'mcast\\-doctor completion bash >> ~/.bashrc',
  'mcast\\-doctor completion zsh >> ~/.zshrc',
  '.fi',
  '.SH EXIT STATUS',
  esc(exitLine.replace(/^Exit codes: /, '')),
  '.SH ENVIRONMENT',
  '.TP',
  '.B NO_COLOR',
  'Set and not empty: no colour (unless \\-\\-color or FORCE_COLOR).',
  '.TP',
  '.B FORCE_COLOR',
  'Colour level 0 to 3 even when the output is not a terminal (chalk\'s convention).',
  '.TP',
  '.B TERM',
  'dumb: no colour.',
  '.TP',
  '.B COLUMNS',
  'Width of help text and tables when the output is not a terminal.',
  '.SH SEE ALSO',
  '.BR tcpdump (8),',
  '.BR ip (8),',
  '.BR smcroute (8),',
  '.BR pcap\\-filter (7)',
  '',
].join('\n');

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, page);
console.log(`${out}: ${commands.length} commands`);
