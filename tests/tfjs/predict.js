// Loads a TensorFlow.js layers model folder that Shapeflow wrote and predicts with it, for
// tst_tfjs_files: node predict.js DIR/model.json INPUTS.json OUT.json
// model.json and its shards are read from disk here and handed to tf.loadLayersModel through
// tf.io.fromMemory, so that no file:// or http:// handler (tfjs-node, fetch) is involved.
// INPUTS.json: {"<input name>": {"shape": [...], "dtype": "float32"|"int32", "values": [...]}}.
// OUT.json: {"<output name>": {"shape": [...], "values": [...]}}, plus the backend used.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [modelPath, inputsPath, outPath] = process.argv.slice(2);
  await tf.setBackend('cpu');
  const modelJson = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const folder = path.dirname(modelPath);
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) buffers.push(fs.readFileSync(path.join(folder, shard)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs,
    weightData,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  }));
  const given = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const inputs = model.inputNames.map((name) => {
    if (!(name in given)) throw new Error(`no values for input ${name}`);
    const x = given[name];
    return tf.tensor(x.values, x.shape, x.dtype);
  });
  let outputs = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  if (!Array.isArray(outputs)) outputs = [outputs];
  const out = {backend: tf.getBackend(), outputs: {}};
  model.outputNames.forEach((name, i) => {
    out.outputs[name] = {shape: outputs[i].shape, values: Array.from(outputs[i].dataSync())};
  });
  fs.writeFileSync(outPath, JSON.stringify(out));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
