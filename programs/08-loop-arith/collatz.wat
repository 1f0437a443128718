;; Collatz steps: for each byte n of file 0 prints how many steps n -> n/2 (even) or 3n+1 (odd) take to reach 1
;; (0 for n <= 1). There is no shift or divide, so n/2 is rebuilt bit by bit: bit k of n becomes bit k-1.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $n i32) (local $steps i32) (local $half i32) (local $bit i32) (local $low i32)
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $next
        (local.set $n (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $n) (i32.const -1)))
        (local.set $steps (i32.const 0))
        (block $reached
          (loop $step
            (br_if $reached (i32.le_s (local.get $n) (i32.const 1)))
            (if (i32.and (local.get $n) (i32.const 1))
              (then
                (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1))))
              (else
                ;; half = n / 2: for bit = 2, 4, 8, ... up to n, copy bit into half as bit/2 (= low)
                (local.set $half (i32.const 0))
                (local.set $bit (i32.const 2))
                (local.set $low (i32.const 1))
                (loop $shift
                  (if (i32.and (local.get $n) (local.get $bit))
                    (then (local.set $half (i32.or (local.get $half) (local.get $low)))))
                  (local.set $low (local.get $bit))
                  (local.set $bit (i32.add (local.get $bit) (local.get $bit)))
                  (br_if $shift (i32.le_s (local.get $bit) (local.get $n))))
                (local.set $n (local.get $half))))
            (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
            (br $step)))
        (call $output (local.get $steps))
        (br $next)))
  )
)
