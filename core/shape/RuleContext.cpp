#include "RuleContext.h"

namespace sf {

namespace {

Diagnostic& add(RuleContext& ctx, Severity severity, std::string code, std::string message, std::string hint, int port)
{
    Diagnostic d;
    d.severity = severity;
    d.code = std::move(code);
    d.node = ctx.node.id;
    d.port = port;
    d.message = std::move(message);
    d.hint = std::move(hint);
    ctx.diagnostics.push_back(std::move(d));
    return ctx.diagnostics.back();
}

} // namespace

Diagnostic& RuleContext::error(std::string code, std::string message, std::string hint, int port)
{
    return add(*this, Severity::Error, std::move(code), std::move(message), std::move(hint), port);
}

Diagnostic& RuleContext::warning(std::string code, std::string message, std::string hint, int port)
{
    return add(*this, Severity::Warning, std::move(code), std::move(message), std::move(hint), port);
}

Diagnostic& RuleContext::info(std::string code, std::string message, std::string hint, int port)
{
    return add(*this, Severity::Info, std::move(code), std::move(message), std::move(hint), port);
}

std::vector<PortRef> RuleContext::inputPorts() const
{
    std::vector<PortRef> ports;
    for (const RuleInput& input : inputs)
        ports.push_back({node.id, input.port});
    return ports;
}

std::string RuleContext::quoted(NodeId other) const
{
    const Node* n = graph.node(other);
    return "\"" + (n ? n->name : idText(other)) + "\"";
}

} // namespace sf
