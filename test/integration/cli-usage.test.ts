// The command lines a newcomer types first: every --help prints usage on stdout and exits 0; anything
// unknown exits 2 with the usage on stderr. Runs the real built `vigil` and `vigil-engine`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARSER_NAMES, TRACKER_KINDS } from '../../main/api/registries.js';
import { projectRoot } from '../../main/paths.js';

const home = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
const run = (bin: string, args: string[]) => {
  const r = spawnSync(process.execPath, [join(projectRoot(), 'bin', bin), ...args], {
    encoding: 'utf8',
    env: { ...process.env, VIGIL_HOME: home },
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const vigil = (...args: string[]) => run('vigil.mjs', args);
const engine = (...args: string[]) => run('vigil-engine.mjs', args);

describe('vigil --help and friends', () => {
  it.each([['--help'], ['-h'], ['help']])('vigil %s prints the usage of every command and exits 0', (flag) => {
    const r = vigil(flag);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^usage: vigil <command>/);
    expect(r.stdout).toContain('vigil serve [--host H] [--port P] [--token-file F]');
    expect(r.stdout).toContain('vigil models list');
    expect(r.stdout).toContain('import-nvinfer CONFIG');
  });

  it('vigil models --help, and --help of each subcommand, print usage and exit 0', () => {
    const models = vigil('models', '--help');
    expect(models.status).toBe(0);
    expect(models.stdout).toMatch(/^usage: vigil models list \| add \| import-nvinfer/);
    const add = vigil('models', 'add', '--help');
    expect(add.status).toBe(0);
    expect(add.stdout).toMatch(/^usage: vigil models add FILE\.onnx/);
    expect(add.stdout).toContain(PARSER_NAMES.join(' | ')); // the one parser list, detr included
    const imp = vigil('models', 'import-nvinfer', '--help');
    expect(imp.status).toBe(0);
    expect(imp.stdout).toMatch(/^usage: vigil models import-nvinfer CONFIG/);
    expect(imp.stdout).toMatch(/deepstream-app/);
    const list = vigil('models', 'list', '-h');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^usage: vigil models list/);
  });

  it('vigil serve --help prints the serve options without starting anything', () => {
    const r = vigil('serve', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: vigil serve/);
    expect(r.stdout).not.toContain('serving on');
  });

  it('unknown commands, subcommands and options exit 2 with the usage on stderr', () => {
    const cases: [string[], RegExp, RegExp][] = [
      [[], /^usage: vigil <command>/, /^usage: vigil <command>/],
      [['frobnicate'], /^vigil: unknown command 'frobnicate'/, /usage: vigil <command>/],
      [['models'], /^vigil: which subcommand\?/, /usage: vigil models list \| add/],
      [['models', 'remove'], /^vigil: unknown subcommand 'remove'/, /usage: vigil models list \| add/],
      [['models', 'remove', '--help'], /^vigil: unknown subcommand 'remove'/, /usage: vigil models list \| add/],
      [['models', 'add', 'x.onnx', '--colour', 'red'], /^vigil: Unknown option '--colour'/, /usage: vigil models add FILE\.onnx/],
      [['models', 'add'], /^vigil: vigil models add needs the path of an \.onnx file/, /usage: vigil models add/],
      [['models', 'import-nvinfer'], /^vigil: vigil models import-nvinfer needs the path/, /usage: vigil models import-nvinfer/],
      [['models', 'list', 'extra'], /^vigil: 'vigil models list' takes no arguments/, /usage: vigil models list/],
      [['serve', '--bogus'], /^vigil: Unknown option '--bogus'/, /usage: vigil serve/],
    ];
    for (const [args, first, usage] of cases) {
      const r = vigil(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(first);
      expect(r.stderr, args.join(' ')).toMatch(usage);
    }
  });

  it('a bad --parser value names the parsers, detr among them, and exits 1', () => {
    const r = vigil('models', 'add', join(home, 'x.onnx'), '--parser', 'yolov9');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`--parser must be one of ${PARSER_NAMES.join(', ')}, not 'yolov9'`);
  });
});

describe('vigil-engine --help', () => {
  it.each([['--help'], ['-h'], ['help'], ['run', '--help'], ['bench', '--help'], ['info', '--help'], ['fixtures', '-h']])(
    'vigil-engine %s prints usage and exits 0',
    (...args) => {
      const r = engine(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: vigil-engine info\n/);
      expect(r.stdout).toContain(`--tracker ${TRACKER_KINDS.join('|')}`); // the native tracker list, the same as main/api's
    },
  );

  it('no command, an unknown command or option exits 2 with usage on stderr', () => {
    for (const args of [[], ['frobnicate'], ['run', '--colour=red', 'test://ball'], ['info', 'extra']]) {
      const r = engine(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/usage: vigil-engine info\n/);
    }
    expect(engine('frobnicate').stderr).toMatch(/^vigil-engine: unknown command 'frobnicate'/);
    expect(engine('run', '--colour=red', 'test://ball').stderr).toMatch(/^vigil-engine: unknown option --colour/);
  });

  it('an unknown tracker is refused with the trackers the engine has', () => {
    const r = engine('run', 'test://ball', '--tracker', 'nvdcf', '--frames', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`unknown tracker 'nvdcf' — use iou, sort or bytetrack`);
  });
});
