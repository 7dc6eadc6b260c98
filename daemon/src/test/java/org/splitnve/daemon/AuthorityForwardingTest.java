package org.splitnve.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nnve.Authority;

/**
 * The nNVE daemon puts its NVA's authority behind wrappers (the reloadable {@code Keys}, the key check of
 * {@code requireKeys}); a question of {@link Authority} with a default answer that a wrapper does not pass on gets
 * the default, not the NVA's. {@code activatedAtAnotherNve} was such a one: an nNVE daemon never answered a
 * DEPARTURE ARRIVED for a destination at another nNVE, and the source could not depart (the demo's cross-nNVE
 * migration, DemoCommandTest).
 */
class AuthorityForwardingTest {
    @Test
    @DisplayName("LC-MIGRATE, NVA-6: the daemon's authority wrappers pass on every question of Authority, its default"
            + " ones too (activatedAtAnotherNve: make-before-break across nNVEs)")
    void wrappersForwardEveryDefault() throws Exception {
        List<Method> defaults = Arrays.stream(Authority.class.getMethods()).filter(Method::isDefault).toList();
        assertThat(defaults).extracting(Method::getName).contains("activatedAtAnotherNve");
        Authority keys = new NnveDaemon.Keys(Map.of());
        Authority keyCheck = NnveDaemon.requireKeys(keys, (port, station) -> true);
        for (Authority wrapper : List.of(keys, keyCheck)) {
            for (Method m : defaults) {
                Method impl = wrapper.getClass().getMethod(m.getName(), m.getParameterTypes());
                assertThat(impl.getDeclaringClass()).as("%s of %s", m.getName(), wrapper.getClass().getName())
                        .isNotEqualTo(Authority.class);
            }
        }
    }
}
