;; Parses the signed decimal integers in file 0 (digit runs, optionally preceded directly by '-', separated by
;; any other bytes), printing each number, then how many there were and their wrapping sum.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $c i32) (local $value i32) (local $in_number i32) (local $minus i32)
    (local $count i32) (local $sum i32) (local $prev_minus i32)
    (drop (call $fd_open (i32.const 0)))
    (loop $read
      (local.set $c (call $fd_read (i32.const 0)))
      (if (i32.and (i32.ge_s (local.get $c) (i32.const 48)) (i32.le_s (local.get $c) (i32.const 57)))
        (then
          (if (i32.eq (local.get $in_number) (i32.const 0))
            (then
              (local.set $in_number (i32.const 1))
              (local.set $value (i32.const 0))
              (local.set $minus (local.get $prev_minus))))
          (local.set $value (i32.add (i32.mul (local.get $value) (i32.const 10))
                                     (i32.sub (local.get $c) (i32.const 48)))))
        (else
          ;; any non-digit (including end of file, -1) ends a number
          (if (local.get $in_number)
            (then
              (if (local.get $minus)
                (then (local.set $value (i32.sub (i32.const 0) (local.get $value)))))
              (call $output (local.get $value))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))
              (local.set $sum (i32.add (local.get $sum) (local.get $value)))
              (local.set $in_number (i32.const 0))))))
      (local.set $prev_minus (i32.eq (local.get $c) (i32.const 45)))
      (br_if $read (i32.ne (local.get $c) (i32.const -1))))
    (call $output (local.get $count))
    (call $output (local.get $sum))
  )
)
