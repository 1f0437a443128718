;; Sieve of Eratosthenes up to N = first byte of file 0 (empty file: N = 0), one flag word per number at
;; address 4*i. Prints every prime <= N, then how many there are.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (memory 1)
  (func (export "main")
    (local $n i32) (local $p i32) (local $m i32) (local $count i32)
    (drop (call $fd_open (i32.const 0)))
    (local.set $n (call $fd_read (i32.const 0)))
    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (local.set $n (i32.const 0))))
    ;; cross out multiples of every p with p*p <= n, starting at p*p
    (local.set $p (i32.const 2))
    (block $sieved
      (loop $outer
        (br_if $sieved (i32.gt_s (i32.mul (local.get $p) (local.get $p)) (local.get $n)))
        (if (i32.eq (i32.load (i32.mul (local.get $p) (i32.const 4))) (i32.const 0))
          (then
            (local.set $m (i32.mul (local.get $p) (local.get $p)))
            (loop $cross
              (i32.store (i32.mul (local.get $m) (i32.const 4)) (i32.const 1))
              (local.set $m (i32.add (local.get $m) (local.get $p)))
              (br_if $cross (i32.le_s (local.get $m) (local.get $n))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $outer)))
    ;; report
    (local.set $p (i32.const 2))
    (block $reported
      (loop $scan
        (br_if $reported (i32.gt_s (local.get $p) (local.get $n)))
        (if (i32.eq (i32.load (i32.mul (local.get $p) (i32.const 4))) (i32.const 0))
          (then
            (call $output (local.get $p))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $scan)))
    (call $output (local.get $count))
  )
)
