;; Run-length encodes file 0 into file 1 as (count, byte) pairs with counts of at most 255; prints the number
;; of pairs.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $c i32) (local $run i32) (local $count i32) (local $pairs i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (local.set $run (i32.const -1))
    (block $eof
      (loop $read
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (if (i32.and (i32.eq (local.get $c) (local.get $run))
                     (i32.lt_s (local.get $count) (i32.const 255)))
          (then (local.set $count (i32.add (local.get $count) (i32.const 1))))
          (else
            ;; flush the previous run, if any, and start a new one
            (if (i32.gt_s (local.get $count) (i32.const 0))
              (then
                (call $fd_write (i32.const 1) (local.get $count))
                (call $fd_write (i32.const 1) (local.get $run))
                (local.set $pairs (i32.add (local.get $pairs) (i32.const 1)))))
            (local.set $run (local.get $c))
            (local.set $count (i32.const 1))))
        (br $read)))
    (if (i32.gt_s (local.get $count) (i32.const 0))
      (then
        (call $fd_write (i32.const 1) (local.get $count))
        (call $fd_write (i32.const 1) (local.get $run))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 1)))))
    (call $output (local.get $pairs))
  )
)
