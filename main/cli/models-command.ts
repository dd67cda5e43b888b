// `vigil models list | add | import-nvinfer`: the command-line way to add detectors.
import { parseArgs } from 'node:util';
import type { ModelManifest } from '../api/model-types.js';
import { loadAddon } from '../engine/addon.js';
import type { ModelsAddon } from '../models/detect.js';
import { PARSERS } from '../models/manifest.js';
import { addModel, addNvinferModel, listModels, proposeForFile } from '../models/store.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

// The CLI is its own short-lived process, so loading the native addon here never touches the app's main process.
const addon = () => loadAddon() as unknown as ModelsAddon;

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list': {
      const models = listModels();
      if (models.length === 0) out("no models found — run 'npm start' or 'node scripts/setup.mjs' to generate the defaults");
      for (const m of models) {
        if (m.manifest) out(`${m.isDefault ? '*' : ' '} ${m.manifest.name.padEnd(24)} ${m.manifest.parser.padEnd(9)} ${m.manifest.input.width}×${m.manifest.input.height} ${String(m.manifest.labels.length).padStart(4)} classes  ${m.manifestPath}`);
        else out(`! ${m.manifestPath}: ${m.error}`);
      }
      return 0;
    }
    case 'add': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { name: { type: 'string' }, parser: { type: 'string' }, labels: { type: 'string' }, set: { type: 'string' }, 'dry-run': { type: 'boolean' } },
      });
      const file = positionals[0];
      if (!file) throw new Error('vigil models add needs the path of an .onnx file');
      if (values.parser && !PARSERS.includes(values.parser as ModelManifest['parser'])) throw new Error(`--parser must be one of ${PARSERS.join(', ')}, not '${values.parser}'`);
      let overrides: Partial<ModelManifest> | undefined;
      if (values.set) {
        try {
          overrides = JSON.parse(values.set) as Partial<ModelManifest>;
        } catch (e) {
          throw new Error(`--set must be a JSON object of manifest fields, e.g. '{"input":{"colorOrder":"BGR"}}' (${e instanceof Error ? e.message : String(e)})`, { cause: e });
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
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' } } });
      const config = positionals[0];
      if (!config) throw new Error('vigil models import-nvinfer needs the path of an nvinfer config file');
      const r = addNvinferModel(config, addon(), { name: values.name });
      out(`imported '${r.manifest.name}' (${r.manifest.parser}) → ${r.manifestPath}`);
      if (r.engineSettings.batchSize !== undefined || r.engineSettings.interval !== undefined) out(`engine settings for the workspace: ${JSON.stringify(r.engineSettings)}`);
      if (r.unhonoured.length) {
        out('not honoured by Vigil:');
        for (const u of r.unhonoured) out(`  ${u.key}${u.value ? `=${u.value}` : ''}: ${u.reason}`);
      }
      return 0;
    }
    default:
      process.stderr.write(`vigil models: unknown subcommand '${sub ?? ''}' (list | add | import-nvinfer)\n`);
      return 2;
  }
}
