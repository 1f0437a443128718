;; Writes each little-endian word of file 0 to file 1 as signed decimal text, one per line. With no divide,
;; digits come from repeated subtraction of a table of powers of ten; the value is kept non-positive so that
;; INT_MIN works. Prints the number of characters written. A trailing partial word is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (memory 1)
  (func (export "main")
    (local $k i32) (local $byte i32) (local $neg i32) (local $p i32) (local $d i32)
    (local $started i32) (local $chars i32) (local $slot i32)
    ;; powers of ten 10^9 .. 10^1 at 0, 4, .., 32
    (i32.store (i32.const 0)  (i32.const 1000000000))
    (i32.store (i32.const 4)  (i32.const 100000000))
    (i32.store (i32.const 8)  (i32.const 10000000))
    (i32.store (i32.const 12) (i32.const 1000000))
    (i32.store (i32.const 16) (i32.const 100000))
    (i32.store (i32.const 20) (i32.const 10000))
    (i32.store (i32.const 24) (i32.const 1000))
    (i32.store (i32.const 28) (i32.const 100))
    (i32.store (i32.const 32) (i32.const 10))
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (block $eof
      (loop $number
        ;; assemble the next word at 64..67
        (local.set $k (i32.const 0))
        (loop $bytes
          (local.set $byte (call $fd_read (i32.const 0)))
          (br_if $eof (i32.eq (local.get $byte) (i32.const -1)))
          (i32.store offset=64 (local.get $k) (local.get $byte))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes (i32.lt_s (local.get $k) (i32.const 4))))
        (local.set $neg (i32.load (i32.const 64)))
        (if (i32.lt_s (local.get $neg) (i32.const 0))
          (then
            (call $fd_write (i32.const 1) (i32.const 45))   ;; '-'
            (local.set $chars (i32.add (local.get $chars) (i32.const 1))))
          (else (local.set $neg (i32.sub (i32.const 0) (local.get $neg)))))
        ;; neg <= 0 now; emit digits for 10^9 .. 10^1, skipping leading zeros
        (local.set $started (i32.const 0))
        (local.set $slot (i32.const 0))
        (loop $digit
          (local.set $p (i32.load (local.get $slot)))
          (local.set $d (i32.const 0))
          (block $done
            (loop $sub
              (br_if $done (i32.gt_s (local.get $neg) (i32.sub (i32.const 0) (local.get $p))))
              (local.set $neg (i32.add (local.get $neg) (local.get $p)))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $sub)))
          (if (i32.or (local.get $started) (i32.ne (local.get $d) (i32.const 0)))
            (then
              (call $fd_write (i32.const 1) (i32.add (i32.const 48) (local.get $d)))
              (local.set $chars (i32.add (local.get $chars) (i32.const 1)))
              (local.set $started (i32.const 1))))
          (local.set $slot (i32.add (local.get $slot) (i32.const 4)))
          (br_if $digit (i32.lt_s (local.get $slot) (i32.const 36))))
        ;; units digit is -neg, then a newline
        (call $fd_write (i32.const 1) (i32.sub (i32.const 48) (local.get $neg)))
        (call $fd_write (i32.const 1) (i32.const 10))
        (local.set $chars (i32.add (local.get $chars) (i32.const 2)))
        (br $number)))
    (call $output (local.get $chars))
  )
)
