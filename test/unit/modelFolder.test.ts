import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { HostError } from '../../src/protocol/errors';
import { readModelFolder } from '../../src/host/models/folder';
import { scanOnnx } from '../../src/host/models/onnxScan';
import { newClient, rejection, TINY_BERT, TINY_GPT2 } from './helpers';

// A minimal protobuf writer, to craft ONNX files that reference external data.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const field = (no: number, bytes: number[]): number[] => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
const text = (s: string): number[] => [...Buffer.from(s)];

/** ModelProto { graph { initializer { name, external_data { location } } } } */
function onnxWithExternalData(location: string): Buffer {
  const entry = [...field(1, text('location')), ...field(2, text(location))];
  const tensor = [...field(8, text('w')), ...field(13, entry)];
  const graph = [...field(2, text('g')), ...field(5, tensor)];
  return Buffer.from([0x08, 0x07, ...field(7, graph)]);
}

function copyModel(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-model-'));
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

function invalidWith(code: string, pattern: RegExp) {
  return (e: unknown) => e instanceof HostError && e.code === code && pattern.test(e.message);
}

describe('model folders: bad input gets a clear error', () => {
  const temps: string[] = [];
  const temp = (src: string) => {
    const d = copyModel(src);
    temps.push(d);
    return d;
  };
  after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('reads a good folder', () => {
    const f = readModelFolder(TINY_GPT2);
    assert.equal(f.onnxFile, path.join('onnx', 'model.onnx'));
    assert.equal(f.config.model_type, 'gpt2');
  });

  it('a missing folder names the path and the expected layout', () => {
    assert.throws(() => readModelFolder('/definitely/not/here'), invalidWith('MODEL_NOT_FOUND', /\/definitely\/not\/here does not exist.*config\.json/));
  });

  it('a missing config.json is named', () => {
    const d = temp(TINY_GPT2);
    fs.rmSync(path.join(d, 'config.json'));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /config\.json is missing/));
  });

  it('a corrupt config.json is named with the parse error', () => {
    const d = temp(TINY_GPT2);
    fs.writeFileSync(path.join(d, 'config.json'), '{"model_type": "gpt2",');
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /config\.json: is not valid JSON/));
  });

  it('a missing tokenizer.json is named', () => {
    const d = temp(TINY_GPT2);
    fs.rmSync(path.join(d, 'tokenizer.json'));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /tokenizer\.json is missing/));
  });

  it('a folder without any ONNX file says what to export', () => {
    const d = temp(TINY_GPT2);
    fs.rmSync(path.join(d, 'onnx'), { recursive: true });
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /has no ONNX model: expected onnx\/model\.onnx/));
  });

  it('a folder with only PyTorch pickles is refused, never loaded', () => {
    const d = temp(TINY_GPT2);
    fs.rmSync(path.join(d, 'onnx'), { recursive: true });
    fs.writeFileSync(path.join(d, 'pytorch_model.bin'), Buffer.from([0x80, 0x02, 0x7d, 0x71]));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_UNSUPPORTED', /pytorch_model\.bin is a Python pickle.*never does/));
  });

  it('a pickle renamed to model.onnx is recognised by its bytes', () => {
    const d = temp(TINY_GPT2);
    fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), Buffer.from([0x80, 0x04, 0x95, 0x00, 0x00]));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_UNSUPPORTED', /is a Python pickle/));
  });

  it('a truncated ONNX file is reported as corrupt', () => {
    const d = temp(TINY_GPT2);
    const f = path.join(d, 'onnx', 'model.onnx');
    fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 5000));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /model\.onnx: is not a valid ONNX file.*truncated/));
  });

  it('external data escaping the folder is refused', () => {
    for (const loc of ['../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', 'sub/../../x.bin']) {
      const d = temp(TINY_GPT2);
      fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), onnxWithExternalData(loc));
      assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /outside the model folder/), loc);
    }
  });

  it('missing external data is named', () => {
    const d = temp(TINY_GPT2);
    fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), onnxWithExternalData('model.onnx_data'));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /external data file model\.onnx_data, which is missing/));
  });

  it('finds external-data locations in a crafted model', () => {
    assert.deepEqual(scanOnnx(onnxWithExternalData('model.onnx_data')).externalData, ['model.onnx_data']);
    assert.deepEqual(scanOnnx(fs.readFileSync(path.join(TINY_GPT2, 'onnx', 'model.onnx'))).externalData, []);
  });

  it('an ONNX file symlinked from outside the folder is refused', () => {
    const d = temp(TINY_GPT2);
    const outside = path.join(os.tmpdir(), `outside-${process.pid}.onnx`);
    fs.copyFileSync(path.join(d, 'onnx', 'model.onnx'), outside);
    temps.push(outside);
    fs.rmSync(path.join(d, 'onnx', 'model.onnx'));
    fs.symlinkSync(outside, path.join(d, 'onnx', 'model.onnx'));
    assert.throws(() => readModelFolder(d), invalidWith('MODEL_INVALID', /points outside the model folder/));
  });

  it('onnxFile cannot climb out of the folder', () => {
    assert.throws(() => readModelFolder(TINY_GPT2, '../../x.onnx'), invalidWith('BAD_REQUEST', /file name inside the model folder/));
  });

  describe('through the host, which stays up', () => {
    let client: HostClient;
    before(() => (client = newClient()));
    after(() => client.dispose());

    it('reports each bad model and keeps serving', async () => {
      const d = temp(TINY_GPT2);
      fs.writeFileSync(path.join(d, 'config.json'), 'not json');
      const e1 = await rejection(client.request('generate', { modelPath: d, prompt: 'x' }));
      assert.equal(e1.code, 'MODEL_INVALID');
      const e2 = await rejection(client.request('classify', { modelPath: '/no/such/model', texts: ['x'] }));
      assert.equal(e2.code, 'MODEL_NOT_FOUND');
      const e3 = await rejection(client.request('classify', { modelPath: TINY_GPT2, texts: ['x'] }));
      assert.match(e3.message, /text-generation model; classification needs a sequence classifier/);
      const e4 = await rejection(client.request('generate', { modelPath: TINY_BERT, prompt: 'x' }));
      assert.match(e4.message, /generation needs a causal language model/);
      const ok = await client.request('generate', { modelPath: TINY_GPT2, prompt: 'def', options: { maxNewTokens: 3, doSample: false } });
      assert.equal(ok.stats.newTokens, 3);
      assert.equal(client.state, 'ready');
    });

    it('an ONNX file onnxruntime cannot parse is reported, the host stays up', async () => {
      const d = temp(TINY_GPT2);
      const f = path.join(d, 'onnx', 'model.onnx');
      // A valid protobuf envelope whose graph is nonsense to onnxruntime.
      fs.writeFileSync(f, Buffer.from([0x08, 0x07, ...field(7, field(2, text('g')))]));
      const e = await rejection(client.request('load', { modelPath: d }));
      assert.equal(e.code, 'MODEL_INVALID');
      assert.match(e.message, /onnxruntime could not load it/);
      assert.equal((await client.request('status', {})).ortVersion, '1.30.0');
    });
  });
});
