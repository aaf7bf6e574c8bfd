-- The generic test not_null_columns (tests/generic/not_null_columns.sql) on a fixture of three
-- rows: column a has no null, b one, c two. It must return exactly b with 1 null row and c
-- with 2, and nothing for a. One row per difference from that.
with

fixture as (
    select fixture.* from (
        values
        (1, cast(null as {{ dbt.type_int() }}), cast(null as {{ dbt.type_string() }})),
        (2, 20, cast(null as {{ dbt.type_string() }})),
        (3, 30, 'x')
    ) as fixture (a, b, c)
),

reported as (
    {{ test_not_null_columns(model='fixture', columns=['a', 'b', 'c']) }}
),

expected as (
    select expected.* from (
        values
        ('b', 1),
        ('c', 2)
    ) as expected (column_name, null_rows)
),

final as (
    select 'missing' as problem, expected.column_name, expected.null_rows
    from expected
    left join reported
        on
            expected.column_name = reported.column_name
            and expected.null_rows = reported.null_rows
    where reported.column_name is null

    union all

    select 'unexpected' as problem, reported.column_name, reported.null_rows
    from reported
    left join expected
        on
            reported.column_name = expected.column_name
            and reported.null_rows = expected.null_rows
    where expected.column_name is null
)

select * from final
