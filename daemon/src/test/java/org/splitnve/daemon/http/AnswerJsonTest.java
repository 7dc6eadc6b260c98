package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;

/**
 * The daemons' answers through {@link JsonCodec}: the part of JsonCodecTest (api/src/test) that needs the server's
 * view records, which the api module does not hold.
 */
class AnswerJsonTest {
    @Test
    @DisplayName("records are written in declaration order; request bodies leave null members out, answers write them")
    void answersWriteNullMembers() {
        assertThat(JsonCodec.write(new TnveApi.VmView("vm1", "RUNNING", null, List.of())))
                .isEqualTo("{\"name\":\"vm1\",\"state\":\"RUNNING\",\"migration\":null,\"tsis\":[]}");
    }
}
