// `vigil models list | add | import-nvinfer`: the command-line way to add detectors.
import type { ModelManifest } from '../api/model-types.js';
import { loadAddon } from '../addon/addon.js';
import { isParserName, PARSER_NAMES } from '../api/registries.js';
import { addModel, addNvinferModel, listModels, proposeForFile } from '../models/library.js';
import { isHelp, parseOrUsage, UsageError } from './usage.js';

const LIST_USAGE = `usage: vigil models list
  lists the installed models (* marks the default)`;
const ADD_USAGE = `usage: vigil models add FILE.onnx [--name N] [--parser P] [--labels FILE] [--set JSON] [--dry-run]
  inspects the model, proposes a manifest (--parser/--labels/--set correct it), runs one frame, saves it
  --parser   ${PARSER_NAMES.join(' | ')}
  --labels   a text file with one class name per line
  --set      manifest fields as JSON, e.g. '{"input":{"colorOrder":"BGR"}}'
  --dry-run  print the proposed manifest and save nothing`;
const IMPORT_USAGE = `usage: vigil models import-nvinfer CONFIG [--name N]
  imports a DeepStream nvinfer config (key-file or YAML), or a deepstream-app config's [primary-gie];
  the keys Vigil cannot honour are listed with why`;
export const MODELS_USAGE = `usage: vigil models list | add | import-nvinfer   (vigil models SUBCOMMAND --help)
${[LIST_USAGE, ADD_USAGE, IMPORT_USAGE].map((u) => u.replace(/^usage: /, '       ')).join('\n')}`;

const out = (s: string) => process.stdout.write(`${s}\n`);

// The CLI is its own short-lived process, so loading the native addon here never touches the app's main process.
const addon = () => loadAddon();

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const usage =
    new Map([
      ['list', LIST_USAGE],
      ['add', ADD_USAGE],
      ['import-nvinfer', IMPORT_USAGE],
    ]).get(sub ?? '') ?? MODELS_USAGE;
  if (isHelp(sub) || rest.includes('--help') || rest.includes('-h')) {
    if (sub !== undefined && !isHelp(sub) && usage === MODELS_USAGE)
      throw new UsageError(`unknown subcommand '${sub}' (list | add | import-nvinfer)`, MODELS_USAGE);
    out(usage);
    return 0;
  }
  switch (sub) {
    case 'list': {
      if (rest.length) throw new UsageError(`'vigil models list' takes no arguments, not '${rest[0]}'`, LIST_USAGE);
      const models = listModels();
      if (models.length === 0) out("no models found — run 'npm start' or 'node scripts/setup.mjs' to generate the defaults");
      for (const m of models) {
        if (m.manifest)
          out(
            `${m.isDefault ? '*' : ' '} ${m.manifest.name.padEnd(24)} ${m.manifest.parser.padEnd(9)} ${m.manifest.input.width}×${m.manifest.input.height} ${String(m.manifest.labels.length).padStart(4)} classes  ${m.manifestPath}`,
          );
        else out(`! ${m.manifestPath}: ${m.error}`);
      }
      return 0;
    }
    case 'add': {
      const { values, positionals } = parseOrUsage(
        {
          args: rest,
          allowPositionals: true,
          options: {
            name: { type: 'string' },
            parser: { type: 'string' },
            labels: { type: 'string' },
            set: { type: 'string' },
            'dry-run': { type: 'boolean' },
          },
        },
        ADD_USAGE,
      );
      const file = positionals[0];
      if (!file || positionals.length > 1)
        throw new UsageError(file ? `give one .onnx file, not ${positionals.length}` : 'vigil models add needs the path of an .onnx file', ADD_USAGE);
      if (values.parser !== undefined && !isParserName(values.parser))
        throw new Error(`--parser must be one of ${PARSER_NAMES.join(', ')}, not '${values.parser}'`);
      let overrides: Partial<ModelManifest> | undefined;
      if (values.set) {
        try {
          overrides = JSON.parse(values.set) as Partial<ModelManifest>;
        } catch (e) {
          throw new Error(
            `--set must be a JSON object of manifest fields, e.g. '{"input":{"colorOrder":"BGR"}}' (${e instanceof Error ? e.message : String(e)})`,
            { cause: e },
          );
        }
      }
      const corrections = { name: values.name, parser: values.parser as ModelManifest['parser'] | undefined, labelsFile: values.labels, overrides };
      if (values['dry-run']) {
        const { proposal, manifest } = proposeForFile(file, corrections);
        for (const n of proposal.notes) out(`- ${n}`);
        out(JSON.stringify(manifest, null, 2));
        return 0;
      }
      const r = addModel(file, addon(), corrections);
      for (const n of r.notes) out(`- ${n}`);
      out(`added '${r.manifest.name}' (${r.manifest.parser}); one test frame ran and its outputs fit the parser. Manifest: ${r.manifestPath}`);
      return 0;
    }
    case 'import-nvinfer': {
      const { values, positionals } = parseOrUsage({ args: rest, allowPositionals: true, options: { name: { type: 'string' } } }, IMPORT_USAGE);
      const config = positionals[0];
      if (!config || positionals.length > 1)
        throw new UsageError(
          config ? `give one config file, not ${positionals.length}` : 'vigil models import-nvinfer needs the path of an nvinfer or deepstream-app config file',
          IMPORT_USAGE,
        );
      const r = addNvinferModel(config, addon(), { name: values.name });
      out(`imported '${r.manifest.name}' (${r.manifest.parser}) → ${r.manifestPath}`);
      for (const n of r.notes) out(`- ${n}`);
      if (r.engineSettings.batchSize !== undefined || r.engineSettings.inferEvery !== undefined)
        out(`engine settings for the workspace: ${JSON.stringify(r.engineSettings)}`);
      if (r.unhonoured.length) {
        out('not honoured by Vigil:');
        for (const u of r.unhonoured) out(`  ${u.key}${u.value ? `=${u.value}` : ''}: ${u.reason}`);
      }
      return 0;
    }
    case undefined:
      throw new UsageError('which subcommand? (list | add | import-nvinfer)', MODELS_USAGE);
    default:
      throw new UsageError(`unknown subcommand '${sub}' (list | add | import-nvinfer)`, MODELS_USAGE);
  }
}
