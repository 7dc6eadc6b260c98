package org.splitnve.dataplane;

import java.util.List;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;

/**
 * One desired flow: its key and its instructions (none: drop). {@code why} says what in the model asked for it (a TSI,
 * a VN, the default): it is for people ({@code show flows}) and is not sent to the switch.
 */
public record Flow(FlowKey key, List<Instruction> instructions, String why) {
    public Flow {
        instructions = List.copyOf(instructions);
    }

    public Flow(int table, int priority, Match match, List<Instruction> instructions, String why) {
        this(new FlowKey(table, priority, match), instructions, why);
    }
}
