// Regenerates samples/workspace/traces/support-run.otlp.jsonl with the real OpenTelemetry JS SDK:
//   npx tsx scripts/generate-sample-trace.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sdkAgentRun } from '../test/unit/core/otlp/sdkAgentRun';

void sdkAgentRun().then((bytes) => {
  const line = new TextDecoder().decode(bytes);
  const out = join(__dirname, '..', 'samples', 'workspace', 'traces', 'support-run.otlp.jsonl');
  writeFileSync(out, `${line}\n`);
  console.log(`wrote ${out} (${line.length} bytes)`);
});
