// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/StatusCommand.h"
