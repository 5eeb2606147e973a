#pragma once

#include "graph/Ids.h"

#include <QtTest>

namespace sf {

/// Lets QCOMPARE print node ids when they differ.
inline char* toString(const NodeId& id)
{
    return QTest::toString(QByteArray::fromStdString(idText(id)));
}

} // namespace sf
