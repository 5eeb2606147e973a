#include "CliCommand.h"
#include "engine/SpinWaits.h"

#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view kUsage = R"(usage: shapeflow-cli COMMAND ...

Commands:
  check MODEL [--json]        infer every shape, print the summary and every problem
                              (exit 0: valid, 1: the model has errors, 2: the file cannot be read)
  check MODEL --analyze [--batch N] [--csv FILE]
                              the same with the analysis table instead of the summary: params,
                              weight and activation memory (at batch N, default 32), FLOPs;
                              --csv writes it as CSV too (- : only the CSV, to the output)
  convert MODEL OUT.sfmodel|OUT.json|OUT.py|OUT.keras|OUT.h5|OUT.weights.h5|DIR/model.json
          [--weights W] [--keras3] [--allow-loss]
                              read a model (MODEL below), write it in another form (.keras, .h5,
                              .weights.h5 and DIR/model.json, a TensorFlow.js folder, with the
                              weights: W, else MODEL's own, else its initial ones)
                              (exit 1, nothing written, when the result would differ from MODEL)
  train MODEL (--data MANIFEST.json | --synthetic N) [options]
                              train, one progress line (or --json object) per epoch
  evaluate MODEL [--weights W] (--data MANIFEST.json | --synthetic N)
  predict MODEL [--weights W] --input NAME=FILE.npy ... --out OUT.npy
                              (train --help lists every training option)
  export-training MODEL OUT_DIR [--data MANIFEST.json] [--weights W]
                              hand the training over to Keras 3: OUT_DIR gets model.keras with
                              its weights, train.py (the model's optimizer, loss, schedule, early
                              stopping and seed; DataParallel over every device), a copy of the
                              data and a README; run it with python3 OUT_DIR/train.py

MODEL is a .sfmodel file, a Keras model JSON (Keras 2, tf.keras, TensorFlow.js or Keras 3), told
apart by content, or a model file with its weights: .keras (Keras 3), legacy .h5, or a
TensorFlow.js model.json whose weightsManifest lists the shards beside it.
W is a weights file: Shapeflow's .npz, Keras's .weights.h5, .h5 or .keras, or a TensorFlow.js
model.json with its shards.
)";

} // namespace

int main(int argc, char** argv)
{
    sf::restartWithShortSpinWaits(argv);
    if (argc < 2) {
        std::cerr << kUsage;
        return sf::cli::kExitUsage;
    }
    const std::string_view command = argv[1];
    sf::cli::CliContext ctx{{argv + 2, argv + argc}, std::cout, std::cerr};
    if (command == "check")
        return sf::cli::runCheck(ctx);
    if (command == "convert")
        return sf::cli::runConvert(ctx);
    if (command == "train")
        return sf::cli::runTrain(ctx);
    if (command == "evaluate")
        return sf::cli::runEvaluate(ctx);
    if (command == "predict")
        return sf::cli::runPredict(ctx);
    if (command == "export-training")
        return sf::cli::runExportTraining(ctx);
    if (command == "--help" || command == "-h" || command == "help") {
        std::cout << kUsage;
        return sf::cli::kExitOk;
    }
    std::cerr << "shapeflow-cli: unknown command '" << command << "'\n\n" << kUsage;
    return sf::cli::kExitUsage;
}
