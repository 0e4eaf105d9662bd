/**
 * The Label Studio ML backend protocol, as the `http` adapter speaks it in mode
 * 'label-studio', so an existing backend (label-studio-ml-backend) can serve Quorum.
 *
 * Request, `POST {url}/predict`:
 *   { "tasks": [{ "id": <item id>, "data": { ...meta, [dataKey]: text } }],
 *     "project": project ?? "", "label_config": labelConfig ?? generated, "params": {} }
 * The item text wins over a meta field of the same name (it is what Quorum labels);
 * an item without text keeps that meta field, and with neither the batch is refused.
 * The generated label config is one Text and one Choices tag:
 *   <View><Text name="{toName}" value="${dataKey}"/><Choices name="{fromName}" toName="{toName}">
 *   <Choice value="A"/>…</Choices></View>   (plus choice="multiple" for a multi-label model).
 *
 * Answer: { "results": [prediction, …] } or, from older backends, the bare array;
 * one prediction per task, in task order:
 *   { "result": [{ "from_name", "to_name", "type": "choices", "value": { "choices": ["A"] }, "score"? }],
 *     "score"?, "model_version"? }
 *
 * Mapping of one prediction to a probability row (config.labels order):
 * - the entries read are those of type 'choices' whose from_name, when present, is fromName;
 * - a chosen label's confidence s is the entry's score, else the prediction's score,
 *   else 1, clamped to [0, 1] (null counts as absent); a label chosen by several
 *   entries keeps the highest;
 * - single-label: exactly one label may be chosen; it gets s and the other labels share
 *   1 − s evenly, so the row sums to 1 and its maximum is the model's confidence
 *   (with a single configured label the row is [1]);
 * - multi-label: every chosen label gets its s, the others 0;
 * - no chosen label, an unknown choice, a malformed entry or a prediction count other
 *   than the task count is a ModelOutputError naming the item.
 */
import { z } from 'zod';
import { ModelOutputError, ValidationError } from '../../../core/errors.js';

export const labelStudioSettingsSchema = z.strictObject({
  /** The Choices tag name: results from other tags are ignored. */
  fromName: z.string().min(1).default('label'),
  /** The Text tag name the Choices apply to. */
  toName: z.string().min(1).default('text'),
  /** The task data field holding the item text (`$text` in the label config). */
  dataKey: z.string().min(1).default('text'),
  project: z.string().optional(),
  /** Sent verbatim instead of the generated config, for backends that parse their own. */
  labelConfig: z.string().min(1).optional(),
});

export type LabelStudioSettings = z.output<typeof labelStudioSettingsSchema>;

/** What the protocol needs of an item: the `http` adapter's outgoing items fit. */
export interface LabelStudioItem {
  id: string;
  text: string | null;
  meta: Record<string, unknown> | null;
}

export interface LabelStudioPredictBody {
  tasks: { id: string; data: Record<string, unknown> }[];
  project: string;
  label_config: string;
  params: Record<string, never>;
}

function xmlAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function generateLabelConfig(labels: readonly string[], multiLabel: boolean, settings: LabelStudioSettings): string {
  const choices = labels.map((l) => `<Choice value="${xmlAttribute(l)}"/>`).join('');
  const multiple = multiLabel ? ' choice="multiple"' : '';
  const toName = xmlAttribute(settings.toName);
  return (
    `<View><Text name="${toName}" value="$${xmlAttribute(settings.dataKey)}"/>` +
    `<Choices name="${xmlAttribute(settings.fromName)}" toName="${toName}"${multiple}>${choices}</Choices></View>`
  );
}

export function labelStudioPredictBody(
  items: readonly LabelStudioItem[],
  labels: readonly string[],
  multiLabel: boolean,
  settings: LabelStudioSettings,
): LabelStudioPredictBody {
  const { dataKey } = settings;
  const tasks = items.map(({ id, text, meta }) => {
    const data: Record<string, unknown> = { ...meta };
    if (text !== null) data[dataKey] = text;
    else if (!(dataKey in data)) {
      throw new ValidationError(`item "${id}" has no text for the Label Studio data key "${dataKey}"`, [{ field: 'text', message: `item "${id}" has no text` }]);
    }
    return { id, data };
  });
  return {
    tasks,
    project: settings.project ?? '',
    label_config: settings.labelConfig ?? generateLabelConfig(labels, multiLabel, settings),
    params: {},
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The answer as rows × labels probabilities (config label order), before the shared
 * range / row-sum check.
 * @param source names the model in messages (`http model http://…`).
 */
export function labelStudioProbabilities(
  answer: unknown,
  ids: readonly string[],
  labels: readonly string[],
  multiLabel: boolean,
  fromName: string,
  source: string,
): Float32Array {
  const fail = (message: string): never => {
    throw new ModelOutputError(`${source}: ${message}`);
  };
  const predictions = Array.isArray(answer) ? answer : isRecord(answer) && Array.isArray(answer.results) ? answer.results : undefined;
  if (!predictions) return fail('answer is neither {"results": [...]} nor an array of predictions');
  if (predictions.length !== ids.length) fail(`answered ${predictions.length} predictions for ${ids.length} tasks`);

  const column = new Map(labels.map((l, j) => [l, j]));
  const width = labels.length;
  const out = new Float32Array(ids.length * width);
  const confidence = (score: unknown, what: string, fallback: number): number => {
    if (score === undefined || score === null) return fallback;
    if (typeof score !== 'number' || !Number.isFinite(score)) return fail(`${what} is ${JSON.stringify(score)}, not a number`);
    return Math.min(1, Math.max(0, score));
  };

  predictions.forEach((prediction: unknown, r) => {
    const id = ids[r]!;
    if (!isRecord(prediction)) return fail(`prediction ${r} (item "${id}") is not an object`);
    const predictionScore = confidence(prediction.score, `the score of item "${id}"`, 1);
    const chosen = new Map<number, number>();
    const entries = Array.isArray(prediction.result) ? prediction.result : [];
    for (const entry of entries) {
      if (!isRecord(entry) || entry.type !== 'choices') continue;
      if (entry.from_name !== undefined && entry.from_name !== fromName) continue;
      const choices = isRecord(entry.value) ? entry.value.choices : undefined;
      if (!Array.isArray(choices)) return fail(`a choices result for item "${id}" lacks value.choices`);
      const s = confidence(entry.score, `a result score of item "${id}"`, predictionScore);
      for (const choice of choices) {
        const j = typeof choice === 'string' ? column.get(choice) : undefined;
        if (j === undefined) return fail(`answered unknown choice ${JSON.stringify(choice)} for item "${id}" (labels: ${labels.join(', ')})`);
        chosen.set(j, Math.max(chosen.get(j) ?? 0, s));
      }
    }
    if (chosen.size === 0) return fail(`the model gave no prediction for item "${id}" (no "choices" result from "${fromName}")`);
    if (!multiLabel && chosen.size > 1) {
      return fail(`chose ${chosen.size} labels for item "${id}" (${[...chosen.keys()].map((j) => labels[j]).join(', ')}) but the model is single-label`);
    }

    const row = out.subarray(r * width, (r + 1) * width);
    if (multiLabel) {
      for (const [j, s] of chosen) row[j] = s;
    } else {
      const [j, s] = [...chosen][0]!;
      row.fill(width === 1 ? 0 : (1 - s) / (width - 1));
      row[j] = width === 1 ? 1 : s;
    }
  });
  return out;
}
