package org.mqttwarden.lockout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

/** One listener that throws keeps no other listener from the event. */
class FanoutTest {

    @Test
    void eachCallsEveryServiceInBindingOrderWhateverOneThrows() {
        List<Integer> called = new CopyOnWriteArrayList<>();
        Fanout<Integer> numbers = new Fanout<>("Number");
        for (int i = 0; i < 4; i++) {
            numbers.add(i);
        }
        numbers.each(n -> {
            called.add(n);
            if (n == 1) {
                throw new IllegalArgumentException("one");
            }
        }, "test");
        assertThat(called).containsExactly(0, 1, 2, 3);
    }
}
