;; A loop over i = 0..5 printing i, with an `unreachable` guarded deep inside nested blocks that fires when
;; i equals the first byte of file 0. An empty file or a byte above 5 lets the loop finish and print 100.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $k i32) (local $i i32)
    (drop (call $fd_open (i32.const 0)))
    (local.set $k (call $fd_read (i32.const 0)))
    (loop $l
      (block $ok
        (block $check
          (br_if $ok (i32.ne (local.get $i) (local.get $k)))
          (if (i32.eq (local.get $i) (local.get $k))
            (then unreachable))))
      (call $output (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_s (local.get $i) (i32.const 5))))
    (call $output (i32.const 100))
  )
)
