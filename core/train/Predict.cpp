#include "Predict.h"

#include "DataCheck.h"
#include "NetworkWeights.h"
#include "engine/NetworkCompiler.h"

#include <algorithm>

namespace sf {

std::map<std::string, Array> predictArrays(Network& network, const Dataset& inputs)
{
    Index rows = 0;
    for (const Network::Port& in : network.inputs()) {
        const Array& a = inputs.inputs.at(in.name);
        if (in.batched)
            rows = a.rows();
        else
            std::copy(a.values.begin(), a.values.end(), in.buffers->value.data);
    }
    std::map<std::string, Array> outputs;
    for (const Network::Port& out : network.outputs()) {
        Array a;
        a.source = "prediction:" + out.name;
        a.shape = out.buffers->value.shape;
        a.shape[0] = rows;
        a.values.resize(static_cast<std::size_t>(rows * a.sampleSize()));
        outputs[out.name] = std::move(a);
    }
    const Index batch = network.maxBatch();
    for (Index begin = 0; begin < rows; begin += batch) {
        const Index end = std::min(rows, begin + batch);
        network.setActiveBatch(end - begin);
        for (const Network::Port& in : network.inputs())
            if (in.batched) {
                const Array& a = inputs.inputs.at(in.name);
                std::copy_n(a.values.data() + begin * a.sampleSize(), (end - begin) * a.sampleSize(),
                            in.buffers->value.data);
            }
        network.forward({false, nullptr});
        for (const Network::Port& out : network.outputs()) {
            Array& a = outputs[out.name];
            std::copy_n(out.buffers->value.data, (end - begin) * a.sampleSize(),
                        a.values.data() + begin * a.sampleSize());
        }
    }
    return outputs;
}

std::map<std::string, Array> predictWithWeights(const CheckedModel& model, const std::map<std::string, Array>& weights,
                                                const Dataset& inputs, const std::string& weightsSource,
                                                Index batchSize)
{
    auto network = NetworkCompiler::compile(model, batchSize, sampleShapesOf(model.graph(), inputs));
    checkData(model.graph(), *network, inputs, LossSpec{}, false, "prediction input");
    setWeights(*network, weights, weightsSource);
    return predictArrays(*network, inputs);
}

} // namespace sf
