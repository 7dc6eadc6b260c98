package org.splitnve.dataplane.openflow;

import java.util.List;

/** A flow's instructions (OpenFlow 1.3 section 7.2.4). An empty instruction list drops the packet. */
public sealed interface Instruction {
    int GOTO_TABLE = 1;
    int WRITE_METADATA = 2;
    int WRITE_ACTIONS = 3;
    int APPLY_ACTIONS = 4;
    int CLEAR_ACTIONS = 5;

    record GotoTable(int table) implements Instruction {
        public GotoTable {
            if (table < 0 || table > 0xfe) {
                throw new IllegalArgumentException("table " + table + " out of range 0-254");
            }
        }
    }

    record WriteMetadata(long metadata, long mask) implements Instruction {
    }

    record ApplyActions(List<Action> actions) implements Instruction {
        public ApplyActions {
            actions = List.copyOf(actions);
        }
    }

    record WriteActions(List<Action> actions) implements Instruction {
        public WriteActions {
            actions = List.copyOf(actions);
        }
    }

    record ClearActions() implements Instruction {
    }

    /** Any other instruction type (meter, experimenter), kept as data. */
    record Unknown(int type, Octets body) implements Instruction {
        public Unknown {
            if ((4 + body.length()) % 8 != 0) {
                throw new IllegalArgumentException("instruction of " + (4 + body.length()) + " octets is not 8-aligned");
            }
        }
    }

    static Instruction apply(Action... actions) {
        return new ApplyActions(List.of(actions));
    }
}
