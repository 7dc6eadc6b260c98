package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;

/** What {@code vm} prints of a daemon's answer. */
class VmCommandTest {
    @Test
    @DisplayName("the nNVE's time as progress lines end with it: milliseconds to a tenth, also when the JSON wrote 1 for 1.0; "
            + "nothing when the operation asked the nNVE nothing")
    void nnveTime() {
        assertThat(VmCommand.nnveTime(JsonCodec.mapper().valueToTree(Map.of("nnveMs", new BigDecimal("1")))))
                .isEqualTo(" (nNVE answered in 1.0 ms)");
        assertThat(VmCommand.nnveTime(JsonCodec.mapper().valueToTree(Map.of("nnveMs", new BigDecimal("3.25")))))
                .isEqualTo(" (nNVE answered in 3.3 ms)");
        assertThat(VmCommand.nnveTime(JsonCodec.mapper().createObjectNode().putNull("nnveMs"))).isEmpty();
    }
}
