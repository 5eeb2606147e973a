#!/usr/bin/env python3
"""Trains this project's model with Keras 3, as Shapeflow would have trained it.

Written by `shapeflow-cli export-training` (or the editor's Training > Hand Over to Keras...). The
settings are in training.json beside this file, already in Keras 3's own class and argument names;
the data is in data/, named by data/manifest.json (the manifest format Shapeflow reads).

    python3 train.py [--data MANIFEST.json] [--output trained.keras] [--multi-host]

Devices: with the JAX backend (KERAS_BACKEND=jax) the model is trained with
keras.distribution.DataParallel over every device keras.distribution.list_devices() finds (one
device works too); --multi-host first calls keras.distribution.initialize(), which reads
KERAS_DISTRIBUTION_JOB_ADDRESSES, KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID,
then each process trains on its own equal slice of the rows with batch_size / processes rows a
step (this_hosts_share), so that the global batch stays batch_size.
Keras 3's distribution API works with JAX only: with TensorFlow the model is loaded and compiled
inside a tf.distribute.MirroredStrategy (every GPU of this machine; --multi-host is refused, use
tf.distribute.MultiWorkerMirroredStrategy and TF_CONFIG yourself); with PyTorch (or NumPy) it
trains on one device. batch_size is the global batch, split across the devices.

Each epoch prints one JSON line, as `shapeflow-cli train --json` does, and a last summary line.
"""
import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print("train.py: " + message, file=sys.stderr)
    sys.exit(2)


# ---- data: the manifest's NPY, NPZ and CSV sources, read as Shapeflow reads them ----

def read_csv(path):
    """A header row of names, then numbers, comma separated (no quoting): (names, float32 rows)."""
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\r\n") for line in f]
    lines = [line for line in lines if line.strip()]
    if not lines:
        fail(path + ": empty CSV file")
    header = [name.strip() for name in lines[0].split(",")]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != len(header):
            fail("%s:%d: %d cells, the header has %d" % (path, number, len(cells), len(header)))
        try:
            rows.append([float(cell) for cell in cells])
        except ValueError:
            fail("%s:%d: a cell that is not a number" % (path, number))
    return header, np.asarray(rows, dtype=np.float32).reshape(len(rows), len(header))


class Reader:
    """Reads each file once, however many arrays come from it."""

    def __init__(self, folder):
        self.folder = folder
        self.files = {}

    def path(self, name):
        return name if os.path.isabs(name) else os.path.join(self.folder, name)

    def load(self, name, how):
        path = self.path(name)
        if path not in self.files:
            if not os.path.isfile(path):
                fail("%s: no such file" % path)
            self.files[path] = how(path)
        return self.files[path]

    def read(self, spec, where):
        if spec == "generated":
            fail(where + ": \"generated\" data is made by Shapeflow and cannot be handed over: "
                 "bind a file to it (NPY, NPZ or CSV) in data/manifest.json")
        if isinstance(spec, str):
            spec = {"file": spec}
        name = spec["file"]
        if "columns" in spec:
            header, table = self.load(name, read_csv)
            columns = spec["columns"]
            if isinstance(columns, str) and ":" in columns:
                first, last = columns.split(":", 1)
                for column in (first, last):
                    if column not in header:
                        fail("%s: %s has no column \"%s\"" % (where, name, column))
                begin, end = header.index(first), header.index(last)
                if begin > end:
                    fail("%s: %s: column \"%s\" comes after \"%s\"" % (where, name, first, last))
                return table[:, begin:end + 1]
            names = [columns] if isinstance(columns, str) else columns
            for column in names:
                if column not in header:
                    fail("%s: %s has no column \"%s\"" % (where, name, column))
            return table[:, [header.index(column) for column in names]]
        if name.endswith(".npz") or "array" in spec:
            arrays = self.load(name, lambda path: dict(np.load(path, allow_pickle=False)))
            member = spec.get("array", "")
            if not member:
                if len(arrays) != 1:
                    fail("%s: %s holds %d arrays: name one with \"array\"" % (where, name, len(arrays)))
                return next(iter(arrays.values()))
            if member not in arrays:
                fail("%s: %s has no array \"%s\"" % (where, name, member))
            return arrays[member]
        return self.load(name, lambda path: np.load(path, allow_pickle=False))


def read_section(section, prefix, reader, inputs, outputs):
    """The arrays for every model input and output, by name; a name without data is refused."""
    arrays = ({}, {})
    for part, names, into in (("inputs", inputs, arrays[0]), ("targets", outputs, arrays[1])):
        entries = section.get(part, {})
        for name in names:
            if name not in entries:
                fail("%s%s.%s: no data for the model's %s \"%s\"" %
                     (prefix, part, name, "input" if part == "inputs" else "output", name))
            into[name] = reader.read(entries[name], prefix + part + "." + name)
    return arrays


def as_argument(arrays, names):
    """One array for a single input (or output), else a dict by name, as Keras's fit takes them."""
    return arrays[names[0]] if len(names) == 1 else {name: arrays[name] for name in names}


# ---- devices ----

def set_up_devices(keras, multi_host):
    """The scope to build and compile the model in, and a sentence saying what was set up."""
    backend = keras.backend.backend()
    if backend == "jax":
        if multi_host:
            keras.distribution.initialize()
        devices = keras.distribution.list_devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        return contextlib.nullcontext(), "jax: DataParallel over %d device(s)" % len(devices)
    if multi_host:
        fail("--multi-host needs the JAX backend (KERAS_BACKEND=jax); with TensorFlow use "
             "tf.distribute.MultiWorkerMirroredStrategy with TF_CONFIG")
    if backend == "tensorflow":
        import tensorflow as tf
        strategy = tf.distribute.MirroredStrategy()
        return strategy.scope(), "tensorflow: MirroredStrategy over %d replica(s)" % strategy.num_replicas_in_sync
    return contextlib.nullcontext(), "%s: one device (keras.distribution works with JAX only)" % backend


def this_hosts_share(x, y, vx, vy, fit):
    """JAX on several hosts: each process feeds its own part of the global batch
    (jax.make_array_from_process_local_data in Keras's JAX distribution), so each takes an equal
    slice of the rows and batch_size / processes rows per step. Rows beyond an equal share are left
    out, and a validation split is taken from each host's slice."""
    import jax
    count, index = jax.process_count(), jax.process_index()
    if count == 1:
        return x, y, vx, vy, 1
    if fit["batch_size"] % count:
        fail("batch_size %d does not divide among %d processes: each feeds an equal part of the global batch"
             % (fit["batch_size"], count))
    fit["batch_size"] //= count

    def share(*sections):
        rows = len(next(iter(sections[0].values())))
        each = rows // count
        if each == 0:
            fail("%d rows cannot be shared among %d processes" % (rows, count))
        if rows % count:
            print("train.py: %d rows left out so that every process has %d" % (rows % count, each), file=sys.stderr)
        part = slice(index * each, (index + 1) * each)
        return [{name: array[part] for name, array in section.items()} for section in sections]

    x, y = share(x, y)
    if vx is not None:
        vx, vy = share(vx, vy)
    return x, y, vx, vy, count


# ---- the model's settings, as training.json gives them ----

def make_optimizer(keras, plan):
    spec = plan["optimizer"]
    arguments = dict(spec["config"])
    schedule = plan.get("schedule")
    if schedule:
        schedule_class = getattr(keras.optimizers.schedules, schedule["class_name"])
        arguments["learning_rate"] = schedule_class(**schedule["config"])
    return getattr(keras.optimizers, spec["class_name"])(**arguments)


def make_loss(keras, spec):
    return getattr(keras.losses, spec["class_name"])(**spec["config"])


def history_callback(keras, rows):
    class HistoryLines(keras.callbacks.Callback):
        """One JSON line per epoch, with the keys and order of `shapeflow-cli train --json`."""

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.started
            logs = dict(logs or {})
            line = {"epoch": epoch + 1, "loss": float(logs["loss"])}
            if "val_loss" in logs:
                line["val_loss"] = float(logs["val_loss"])
            skip = ("loss", "val_loss", "learning_rate")
            for key, value in logs.items():
                if key not in skip and not key.startswith("val_"):
                    line[key] = float(value)
            for key, value in logs.items():
                if key not in skip and key.startswith("val_"):
                    line[key] = float(value)
            line["samples_per_sec"] = rows / max(seconds, 1e-9)
            line["seconds"] = seconds
            line["learning_rate"] = float(np.asarray(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))
            print(json.dumps(line), flush=True)

    return HistoryLines()


def main():
    parser = argparse.ArgumentParser(description="Train this project's model with Keras 3.")
    parser.add_argument("--data", default=os.path.join(HERE, "data", "manifest.json"),
                        help="the data manifest (default: data/manifest.json)")
    parser.add_argument("--output", default=None, help="where to save the trained model (.keras)")
    parser.add_argument("--multi-host", action="store_true",
                        help="JAX: call keras.distribution.initialize() first (one process per host)")
    args = parser.parse_args()

    with open(os.path.join(HERE, "training.json"), encoding="utf-8") as f:
        plan = json.load(f)
    output = args.output or os.path.join(HERE, plan["output"])
    if not output.endswith(".keras"):
        fail("--output: the trained model is saved as a .keras file; got " + output)

    with open(args.data, encoding="utf-8") as f:
        manifest = json.load(f)
    reader = Reader(os.path.dirname(os.path.abspath(args.data)))
    inputs, outputs = plan["inputs"], plan["outputs"]
    x, y = read_section(manifest, "", reader, inputs, outputs)
    vx = vy = None
    if "validation" in manifest:
        vx, vy = read_section(manifest["validation"], "validation.", reader, inputs, outputs)
    fit = dict(plan["fit"])
    if vx is not None:
        fit.pop("validation_split", None)  # Shapeflow, like Keras, validates on the data given instead

    import keras  # after the data is read: a bad manifest fails before Keras starts

    keras.utils.set_random_seed(plan["seed"])
    scope, devices = set_up_devices(keras, args.multi_host)
    print("train.py: " + devices, file=sys.stderr)
    processes = 1
    if args.multi_host:
        x, y, vx, vy, processes = this_hosts_share(x, y, vx, vy, fit)
    validation = None if vx is None else (as_argument(vx, inputs), as_argument(vy, outputs))
    rows = len(next(iter(x.values())))
    if validation is None and fit.get("validation_split", 0.0) > 0.0:
        rows = int(np.ceil(rows * (1.0 - fit["validation_split"])))  # Keras trains on the first ceil(...)
    rows *= processes  # samples per second over every host
    with scope:
        model = keras.saving.load_model(os.path.join(HERE, plan["model"]), compile=False)
        loss, metrics = make_loss(keras, plan["loss"]), plan["metrics"]
        if len(outputs) > 1:  # Keras 3 would read a flat list of metrics as one entry per output
            loss = {name: make_loss(keras, plan["loss"]) for name in outputs}
            metrics = {name: list(metrics) for name in outputs}
        model.compile(optimizer=make_optimizer(keras, plan), loss=loss, metrics=metrics)
    callbacks = [history_callback(keras, rows)]
    stopper = None
    if plan.get("early_stopping"):
        stopper = keras.callbacks.EarlyStopping(**plan["early_stopping"])
        callbacks.append(stopper)
    history = model.fit(as_argument(x, inputs), as_argument(y, outputs), validation_data=validation,
                        callbacks=callbacks, verbose=0, **fit)

    epochs = len(history.history.get("loss", []))
    stopped = stopper is not None and getattr(stopper, "stopped_epoch", 0) > 0  # Keras's: the epoch it stopped at
    summary = {"status": "early_stopped" if stopped else "finished",
               "message": ("Early stopping at epoch %d: val_loss has not improved for %d epochs"
                           % (epochs, plan["early_stopping"]["patience"])) if stopped
               else "Finished %d epochs" % epochs,
               "epochs": epochs}
    if epochs:
        summary["loss"] = float(history.history["loss"][-1])
        if history.history.get("val_loss"):
            summary["val_loss"] = float(history.history["val_loss"][-1])
    model.save(output)
    summary["model"] = output
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
